// Bench worker: Tessera's Authority, on the store named by the STORE var:
// "memory" (default): its built-in MemoryStore, one per isolate;
// "durable-object": DurableObjectStore over the SESSIONS binding (bind TesseraStoreObject), which
// needs REFRESH_SECRET.
import { Authority } from "../pkg/authority/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../pkg/durable-object.js";

export { TesseraStoreObject };

let authority; // created inside a handler: the Authority draws random values

function storeOptions(env) {
  switch (env.STORE ?? "memory") {
    case "memory":
      return {};
    case "durable-object":
      return { refreshSecret: env.REFRESH_SECRET, store: new DurableObjectStore(env.SESSIONS) };
    default:
      throw new Error(`unknown STORE ${env.STORE}`);
  }
}

export default {
  async fetch(request, env) {
    authority ??= new Authority({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      signingKeys: [JSON.parse(env.PRIVATE_JWK)],
      allowedOrigins: [env.ORIGIN],
      ...storeOptions(env),
    });
    if (new URL(request.url).pathname === "/auth/login") {
      const { username } = await request.clone().json().catch(() => ({}));
      return authority.login(request, { sub: username ?? "nobody", scope: "read" });
    }
    return (await authority.handle(request)) ?? new Response("not found", { status: 404 });
  },
};
