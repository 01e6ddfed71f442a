// Bench worker: the Authority on its default in-memory MemoryStore (one per isolate).
import { Authority } from "../pkg/workerd.js";

let authority; // created inside a handler: the Authority draws random values

export default {
  async fetch(request, env) {
    authority ??= new Authority({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      signingKeys: [JSON.parse(env.PRIVATE_JWK)],
      allowedOrigins: [env.ORIGIN],
    });
    if (new URL(request.url).pathname === "/auth/login") {
      const { username } = await request.clone().json().catch(() => ({}));
      return authority.login(request, { sub: username ?? "nobody", scope: "read" });
    }
    return (await authority.handle(request)) ?? new Response("not found", { status: 404 });
  },
};
