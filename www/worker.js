// Tessera demo worker (Cloudflare Workers / workerd): the Authority on its Durable Object store
// serves the demo's routes (www/app.js); the page and the package's browser build are static
// assets served in front of the worker.
import { Authority } from "../pkg/authority/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../pkg/durable-object.js";
import { demoApp } from "./app.js";

export { TesseraStoreObject };

let app; // one per isolate, created on first request (env is only known in a handler)

function get(env) {
  const reuseGrace = Number(env.REUSE_GRACE ?? 2);
  if (app) return app;
  const authority = new Authority({
    issuer: env.ORIGIN,
    audience: "tessera-demo-api",
    signingKeys: [JSON.parse(env.PRIVATE_JWK)],
    allowedOrigins: [env.ORIGIN],
    accessTokenTtl: Number(env.ACCESS_TTL ?? 30),
    sessionTtl: Number(env.SESSION_TTL ?? 3600),
    idleTtl: Number(env.IDLE_TTL ?? 900),
    reuseGrace,
    refreshSecret: env.REFRESH_SECRET,
    clientId: "tessera-demo",
    store: new DurableObjectStore(env.SESSIONS),
    dpop: "allowed",
  });
  app = demoApp(authority, { errorResponse: Authority.errorResponse, theft: env.DEMO_THEFT === "1", reuseGrace });
  return app;
}

export default {
  async fetch(request, env) {
    return (await get(env)(request)) ?? Response.json({ error: "not_found" }, { status: 404, headers: { "cache-control": "no-store" } });
  },
};
