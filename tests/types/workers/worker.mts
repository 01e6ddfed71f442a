// A Cloudflare worker (the "workerd" condition) with the Durable Object store (compiled, never run).
import { Authority, Verifier } from "tessera-auth";
import { DurableObjectStore, TesseraStoreObject, TesseraError } from "tessera-auth/durable-object";

export { TesseraStoreObject };

interface Env {
  SESSIONS: DurableObjectNamespace<TesseraStoreObject>;
  ISSUER: string;
  AUDIENCE: string;
  APP_ORIGIN: string;
  SIGNING_KEY: string;
  REFRESH_SECRET: string;
  JWKS_URL: string;
}

let authority: Authority | undefined;
let verifier: Verifier | undefined;

export default {
  async fetch(request, env) {
    authority ??= new Authority({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      allowedOrigins: [env.APP_ORIGIN],
      signingKeys: [JSON.parse(env.SIGNING_KEY)],
      refreshSecret: env.REFRESH_SECRET,
      store: new DurableObjectStore(env.SESSIONS),
    });
    verifier ??= new Verifier({ jwksUrl: env.JWKS_URL, issuer: env.ISSUER, audience: env.AUDIENCE });
    if (new URL(request.url).pathname === "/auth/login") return authority.login(request, { sub: "user-1", scope: "read" });
    if (new URL(request.url).pathname === "/api") {
      try {
        const claims = await verifier.verify(request.headers.get("authorization")?.slice(7) ?? "");
        return Response.json({ hello: claims.sub });
      } catch (error) {
        return Authority.errorResponse(error instanceof TesseraError ? error : new Error("unexpected"));
      }
    }
    return (await authority.handle(request)) ?? new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;

export async function stub(env: Env): Promise<boolean> {
  const object = env.SESSIONS.get(env.SESSIONS.idFromName("family:x"));
  return object.put("family:x", { generation: 1 }, null, 60);
}

// @ts-expect-error not a Durable Object namespace
new DurableObjectStore("SESSIONS");
// @ts-expect-error a misspelled option
new Authority({ issuer: "i", audiance: "a", signingKeys: [], allowedOrigins: ["https://app.example"] });
