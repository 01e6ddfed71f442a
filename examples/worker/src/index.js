// The refresh handshake on Cloudflare Workers, sessions in Durable Objects (see wrangler.toml).
import { Authority } from "tessera-auth"; // the "workerd" condition: the .wasm import is a compiled module
import { DurableObjectStore, TesseraStoreObject } from "tessera-auth/durable-object";

export { TesseraStoreObject };

let authority; // one per isolate; created inside a handler, where env is known
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
    const { pathname } = new URL(request.url);
    if (pathname === "/auth/login") {
      // Check the user's credentials here, then:
      return authority.login(request, { sub: "user-1", scope: "read" });
    }
    if (pathname === "/api/me") {
      try {
        const claims = await authority.verify(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "", { requiredScopes: ["read"] });
        return Response.json({ sub: claims.sub });
      } catch (error) {
        return Authority.errorResponse(error); // 401 invalid_token, 403 insufficient_scope, 503
      }
    }
    return (await authority.handle(request)) ?? new Response("not found", { status: 404 }); // refresh, logout, JWK Set
  },
};
