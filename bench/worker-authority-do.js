// Bench worker: the Authority on the Durable Object store (bind TesseraStoreObject as SESSIONS).
import { Authority } from "../pkg/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../pkg/durable-object.js";

export { TesseraStoreObject };

let authority;

export default {
  async fetch(request, env) {
    authority ??= new Authority({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      signingKeys: [JSON.parse(env.PRIVATE_JWK)],
      allowedOrigins: [env.ORIGIN],
      refreshSecret: env.REFRESH_SECRET,
      store: new DurableObjectStore(env.SESSIONS),
    });
    if (new URL(request.url).pathname === "/auth/login") {
      const { username } = await request.clone().json().catch(() => ({}));
      return authority.login(request, { sub: username ?? "nobody", scope: "read" });
    }
    return (await authority.handle(request)) ?? new Response("not found", { status: 404 });
  },
};
