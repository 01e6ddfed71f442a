// The browser tests' worker (workerd): the Authority with its Durable Object store, a
// protected API, and counters the tests read. Static files come from serve.mjs.
import { Authority, Verifier } from "../../pkg/authority/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../../pkg/durable-object.js";

export { TesseraStoreObject };

let authority, verifier;
const stats = { refreshes: 0, api: 0, rejected: 0, rejectNext: 0, slowNext: 0, jkts: [], last: null, refused: 0 };

/** With DPOP set: the API's verifier wants DPoP proofs with its nonce (RFC 9449 §9). */
function dpopVerifier(env) {
  const { d, ...publicJwk } = JSON.parse(env.PRIVATE_JWK);
  verifier ??= new Verifier({
    jwks: { keys: [publicJwk] },
    issuer: env.ORIGIN,
    audience: "tessera-test-api",
    // Its own nonce secret: the authority's nonces are not the API's.
    dpop: { required: true, nonceSecret: "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc" },
  });
  return verifier;
}

function get(env) {
  authority ??= new Authority({
    issuer: env.ORIGIN,
    audience: "tessera-test-api",
    signingKeys: [JSON.parse(env.PRIVATE_JWK)],
    allowedOrigins: [env.ORIGIN],
    accessTokenTtl: Number(env.ACCESS_TTL),
    refreshSecret: env.REFRESH_SECRET,
    store: new DurableObjectStore(env.SESSIONS),
    dpop: env.DPOP || "off",
    // With DPoP: server nonces at the auth endpoints too (the session retries once with them).
    ...(env.DPOP ? { dpopNonceSecret: env.REFRESH_SECRET } : {}),
  });
  return authority;
}

const json = (body, status = 200, headers = {}) => Response.json(body, { status, headers });

export default {
  async fetch(request, env) {
    const a = get(env);
    const { pathname } = new URL(request.url);
    if (pathname === "/auth/login") {
      const { username, password } = await request.clone().json().catch(() => ({}));
      if (username !== "demo" || password !== "demo") return json({ error: "invalid_credentials", code: "ERR_INVALID_GRANT" }, 401);
      return a.login(request, { sub: "demo", scope: "read" });
    }
    if (pathname === "/auth/refresh") {
      stats.refreshes += 1;
      if (stats.slowNext > 0) {
        stats.slowNext -= 1;
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
    }
    const handled = await a.handle(request);
    if (handled) return handled;
    if (pathname === "/api/data") {
      stats.api += 1;
      if (stats.rejectNext > 0) {
        stats.rejectNext -= 1;
        stats.rejected += 1;
        return json({ error: "invalid_token" }, 401, { "www-authenticate": 'Bearer error="invalid_token"' });
      }
      try {
        let claims;
        if (env.DPOP) {
          claims = await dpopVerifier(env).verifyRequest(request, { requiredScopes: ["read"] });
          if (!stats.jkts.includes(claims.cnf.jkt)) stats.jkts.push(claims.cnf.jkt);
          stats.last = { url: request.url, method: request.method, authorization: request.headers.get("authorization"), dpop: request.headers.get("dpop") };
        } else {
          const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
          claims = await a.verify(token, { requiredScopes: ["read"] });
        }
        return json({ sub: claims.sub, body: request.method === "POST" ? await request.text() : null });
      } catch (error) {
        stats.refused += 1;
        return Authority.errorResponse(error);
      }
    }
    if (pathname === "/test/stats") return json(stats);
    if (pathname === "/test/slow-next") {
      stats.slowNext += 1;
      return json(stats);
    }
    if (pathname === "/test/reject-next") {
      stats.rejectNext += 1;
      return json(stats);
    }
    if (pathname === "/test/reset") {
      Object.assign(stats, { refreshes: 0, api: 0, rejected: 0, rejectNext: 0, slowNext: 0, jkts: [], last: null, refused: 0 });
      return json(stats);
    }
    return json({ error: "not_found" }, 404);
  },
};
