// The demo's routes, shared by the edge worker (www/worker.js, Durable Object store) and the
// Node server (www/node-server.mjs, Redis or memory store): `/auth/login` checks the demo
// credentials, `authority.handle` serves /auth/refresh, /auth/logout and the JWK Set, and /api/*
// is protected by `authority.verifyRequest` (the token, its DPoP proof when it is bound, and the
// session still live).

// Demo credentials: shown on the page. A real app checks its own users before calling login.
const DEMO_USER = { username: "demo", password: "demo" };

const json = (body, status = 200, headers = {}) => Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

const tokenOf = (request) => (request.headers.get("authorization") ?? "").replace(/^(Bearer|DPoP) /i, "");

/**
 * `demoApp(authority, { errorResponse, theft, reuseGrace })` → `async (request) => Response | null`
 * (null: not a demo route, e.g. a static asset). `errorResponse` is `Authority.errorResponse`.
 */
export function demoApp(authority, { errorResponse, theft = false, reuseGrace = 2 }) {
  async function login(request) {
    const { username, password } = await request.clone().json().catch(() => ({}));
    if (username !== DEMO_USER.username || password !== DEMO_USER.password) {
      return json({ error: "invalid_credentials", code: "ERR_INVALID_GRANT" }, 401);
    }
    return authority.login(request, { sub: username, scope: "read", claims: { name: "Demo User" } });
  }

  // Demo-only hook, on only when the demo config enables it: an "attacker" who copied the
  // browser's current refresh token uses it first; the browser's next refresh then presents the
  // already-rotated token. The authority detects the reuse and revokes the whole family.
  async function simulateTheft(request) {
    if (!theft) return json({ error: "not_found" }, 404);
    const attackerRefresh = () => authority.refresh(new Request(request.url, { method: "POST", headers: request.headers }));
    const attacker = await attackerRefresh(); // rotates: the attacker now holds the successor
    // Wait out the grace window, so the next presentation of the copied token is reuse, not a retry.
    await new Promise((resolve) => setTimeout(resolve, (reuseGrace + 1) * 1000));
    const victim = await attackerRefresh(); // the browser's (stolen) token, presented again
    // Neither response's Set-Cookie is forwarded: the browser keeps the token that was stolen.
    return json({ attacker: attacker.status, replay: victim.status, revoked: victim.status === 401 });
  }

  // Demo-only: an "attacker" who copied the access token this request carries (from a log, a
  // proxy, an XSS that read a response) replays it from the server side, where the browser's
  // key cannot help: as DPoP without a proof, and as Bearer.
  async function stealAccessToken(request) {
    const token = tokenOf(request);
    const target = new URL("/api/hello", request.url).href;
    const replays = [];
    for (const [how, authorization] of [["DPoP without a proof", `DPoP ${token}`], ["as Bearer", `Bearer ${token}`]]) {
      const answer = await api(new Request(target, { headers: { authorization } }), "/api/hello");
      const body = await answer.json().catch(() => ({}));
      replays.push({ how, status: answer.status, code: body.code ?? null, error: body.error ?? null });
    }
    return json({ bound: request.headers.has("dpop"), replays });
  }

  async function api(request, pathname) {
    try {
      const claims = await authority.verifyRequest(request, { requiredScopes: ["read"] });
      if (pathname === "/api/demo/steal-access" && request.method === "POST") return stealAccessToken(request);
      if (pathname === "/api/logout-everywhere" && request.method === "POST") {
        await authority.revokeSubject(claims.sub);
        return json({ revoked: claims.sub });
      }
      if (pathname === "/api/hello") {
        return json({ message: `Hello, ${claims.name ?? claims.sub}`, sub: claims.sub, sid: claims.sid, exp: claims.exp, at: Math.floor(Date.now() / 1000) });
      }
      return json({ error: "not_found" }, 404);
    } catch (error) {
      return errorResponse(error);
    }
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/auth/login") return login(request);
    if (pathname === "/auth/demo/steal" && request.method === "POST") return simulateTheft(request);
    const handled = await authority.handle(request); // /auth/refresh, /auth/logout, /.well-known/jwks.json
    if (handled) return handled;
    if (pathname.startsWith("/api/")) return api(request, pathname);
    return null;
  };
}
