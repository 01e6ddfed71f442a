// Tessera demo worker (Cloudflare Workers / workerd): the Authority on its Durable Object store
// serves /auth/*, a protected /api/*, and the JWK Set; the page and the package's browser build
// are static assets served in front of the worker.
import { Authority } from "../pkg/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../pkg/durable-object.js";

export { TesseraStoreObject };

// Demo credentials: shown on the page. A real app checks its own users before calling login.
const DEMO_USER = { username: "demo", password: "demo" };

let authority; // one per isolate, created on first request (env is only known in a handler)

function get(env) {
  authority ??= new Authority({
    issuer: env.ORIGIN,
    audience: "tessera-demo-api",
    signingKeys: [JSON.parse(env.PRIVATE_JWK)],
    allowedOrigins: [env.ORIGIN],
    accessTokenTtl: Number(env.ACCESS_TTL ?? 30),
    sessionTtl: Number(env.SESSION_TTL ?? 3600),
    idleTtl: Number(env.IDLE_TTL ?? 900),
    reuseGrace: Number(env.REUSE_GRACE ?? 2),
    refreshSecret: env.REFRESH_SECRET,
    clientId: "tessera-demo",
    store: new DurableObjectStore(env.SESSIONS),
  });
  return authority;
}

const json = (body, status = 200, headers = {}) => Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

async function login(a, request) {
  const { username, password } = await request.clone().json().catch(() => ({}));
  if (username !== DEMO_USER.username || password !== DEMO_USER.password) {
    return json({ error: "invalid_credentials", code: "ERR_INVALID_GRANT" }, 401);
  }
  return a.login(request, { sub: username, scope: "read", claims: { name: "Demo User" } });
}

// Demo-only hook, on only when the demo config sets DEMO_THEFT=1: an "attacker" who copied the
// browser's current refresh token uses it first; the browser's next refresh then presents the
// already-rotated token. The authority detects the reuse and revokes the whole family.
async function simulateTheft(a, request, env) {
  if (env.DEMO_THEFT !== "1") return json({ error: "not_found" }, 404);
  const attackerRefresh = () => a.refresh(new Request(request.url, { method: "POST", headers: request.headers }));
  const attacker = await attackerRefresh(); // rotates: the attacker now holds the successor
  // Wait out the grace window, so the next presentation of the copied token is reuse, not a retry.
  await new Promise((resolve) => setTimeout(resolve, (Number(env.REUSE_GRACE ?? 2) + 1) * 1000));
  const victim = await attackerRefresh(); // the browser's (stolen) token, presented again
  // Neither response's Set-Cookie is forwarded: the browser keeps the token that was stolen.
  return json({ attacker: attacker.status, replay: victim.status, revoked: victim.status === 401 });
}

async function api(a, request, pathname) {
  try {
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    const claims = await a.verify(token, { requiredScopes: ["read"] });
    if (pathname === "/api/logout-everywhere" && request.method === "POST") {
      await a.revokeSubject(claims.sub);
      return json({ revoked: claims.sub });
    }
    if (pathname === "/api/hello") {
      return json({ message: `Hello, ${claims.name ?? claims.sub}`, sub: claims.sub, sid: claims.sid, exp: claims.exp, at: Math.floor(Date.now() / 1000) });
    }
    return json({ error: "not_found" }, 404);
  } catch (error) {
    return Authority.errorResponse(error);
  }
}

export default {
  async fetch(request, env) {
    const a = get(env);
    const { pathname } = new URL(request.url);
    if (pathname === "/auth/login") return login(a, request);
    if (pathname === "/auth/demo/steal" && request.method === "POST") return simulateTheft(a, request, env);
    const handled = await a.handle(request); // /auth/refresh, /auth/logout, /.well-known/jwks.json
    if (handled) return handled;
    if (pathname.startsWith("/api/")) return api(a, request, pathname);
    return json({ error: "not_found" }, 404);
  },
};
