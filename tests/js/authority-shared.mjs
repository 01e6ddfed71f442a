// Handshake scenarios shared by the Node (MemoryStore, custom store) and workerd (Durable
// Object store) suites. `call(path, { cookie, headers, body })` returns a fetch Response.
import assert from "node:assert/strict";
import * as jose from "jose";
import { Authority, MemoryStore, generateKeyPair } from "tessera-auth";

export const ORIGIN = "https://app.example";
export const CSRF = { origin: ORIGIN, "tessera-request": "1" };

export const cookieOf = (res) => res.headers.get("set-cookie")?.split(";")[0] ?? null;

/** Session lifetimes the suites configure their authorities with. */
export const IDLE_TTL = 3600;
export const SESSION_TTL = 86400;

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const SECRET = Buffer.alloc(32, 7).toString("base64url");

/**
 * The Authority in this Node process on `store` (undefined: the default MemoryStore), driven
 * through its methods. `storeDown(flag)` defaults to the custom test store's `failing` switch.
 */
export function nodeApp(store, reuseGrace = 10, { storeDown, forget } = {}) {
  const { privateJwk } = generateKeyPair({ kid: "a1" });
  let offset = 0;
  const authority = new Authority({
    issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN], reuseGrace,
    idleTtl: IDLE_TTL, sessionTtl: SESSION_TTL, clock: () => Date.now() / 1000 + offset,
    ...(store ? { store, refreshSecret: SECRET } : {}),
  });
  const call = async (path, { headers = {}, body } = {}) => {
    const request = new Request(`https://auth.example${path}`, { method: path === "/api/me" ? "GET" : "POST", headers, body });
    if (path === "/auth/login") return authority.login(request, { sub: JSON.parse(body).username, scope: "read" });
    if (path === "/auth/refresh") return authority.refresh(request);
    if (path === "/auth/logout") return authority.logout(request);
    if (path === "/auth/revoke-subject") {
      await authority.revokeSubject(JSON.parse(body).sub);
      return new Response(null, { status: 204 });
    }
    try {
      const token = (headers.authorization ?? "").replace(/^Bearer /, "");
      return Response.json(await authority.verify(token, { requiredScopes: ["read"] }));
    } catch (error) {
      return Authority.errorResponse(error);
    }
  };
  const advance = async (seconds) => {
    offset += seconds;
  };
  storeDown ??= async (down) => {
    store.failing = down;
  };
  // A store that loses a record (evicted, expired): the MemoryStore rewrites it with a 1 s TTL on
  // the real clock, and the authority's clock then moves past it; a custom store drops it.
  forget ??= async (key) => {
    if (store instanceof MemoryStore) {
      const record = await store.get(key);
      if (record) await store.put(key, record, record.generation, 1);
      offset += 2;
    } else store.map.delete(key);
  };
  return { authority, call, s: scenarios(call, { issuer: ISSUER, audience: AUDIENCE, jwks: async () => authority.jwks(), advance, storeDown, forget }) };
}


export function scenarios(call, { issuer, audience, jwks, advance, storeDown, forget }) {
  const login = (sub = "alice") => call("/auth/login", { headers: CSRF, body: JSON.stringify({ username: sub }) });
  const refresh = (cookie, headers = CSRF) => call("/auth/refresh", { headers: { ...headers, cookie } });

  return {
    async loginRefreshRefresh() {
      const r0 = await login();
      assert.equal(r0.status, 200);
      assert.equal(r0.headers.get("cache-control"), "no-store");
      const set = r0.headers.get("set-cookie");
      assert.match(set, /^tessera_rt=tsr1\.[^;]+; Path=\/auth; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/);
      const body0 = await r0.json();
      assert.deepEqual(Object.keys(body0).sort(), ["access_token", "expires_in", "refresh_expires_in", "scope", "token_type"]);
      assert.ok(!JSON.stringify(body0).includes(cookieOf(r0).split("=")[1]), "the refresh token is never in a body");
      const r1 = await refresh(cookieOf(r0));
      assert.equal(r1.status, 200);
      const r2 = await refresh(cookieOf(r1));
      assert.equal(r2.status, 200);
      assert.notEqual(cookieOf(r2), cookieOf(r1));
      const { access_token } = await r2.json();
      const me = await call("/api/me", { headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).sub, "alice");
      // Issued tokens verify with jose against the published JWK Set (RFC 9068 shape).
      const { payload, protectedHeader } = await jose.jwtVerify(access_token, jose.createLocalJWKSet(await jwks()), {
        issuer, audience, typ: "at+jwt", requiredClaims: ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "sid"],
      });
      assert.equal(protectedHeader.alg, "ES256");
      assert.equal(payload.scope, "read");
    },

    async reuseRevokesFamily(waitPastGrace) {
      const r0 = await login();
      const t0 = cookieOf(r0);
      const r1 = await refresh(t0);
      const { access_token } = await r1.json();
      await waitPastGrace();
      const replay = await refresh(t0);
      assert.equal(replay.status, 401);
      assert.deepEqual(await replay.json(), { error: "invalid_grant", code: "ERR_INVALID_GRANT" });
      assert.match(replay.headers.get("set-cookie"), /Max-Age=0/);
      assert.equal((await refresh(cookieOf(r1))).status, 401, "the newest token of the family stops working too");
      const me = await call("/api/me", { headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(me.status, 401);
      assert.equal(me.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    },

    async retryInsideGrace() {
      const t0 = cookieOf(await login());
      const t1 = cookieOf(await refresh(t0));
      const retry = await refresh(t0);
      assert.equal(retry.status, 200);
      assert.equal(cookieOf(retry), t1);
      assert.equal((await refresh(t1)).status, 200);
    },

    async concurrentRefreshes(n = 100) {
      const t0 = cookieOf(await login());
      const responses = await Promise.all(Array.from({ length: n }, () => refresh(t0)));
      const statuses = responses.map((r) => r.status);
      assert.deepEqual([...new Set(statuses)], [200], "no legitimate retry loses the session");
      const successors = new Set(responses.map(cookieOf));
      assert.equal(successors.size, 1, "exactly one live line of succession");
      assert.equal((await refresh([...successors][0])).status, 200);
    },

    async csrfRejections() {
      const t0 = cookieOf(await login());
      for (const headers of [{ origin: ORIGIN }, { "tessera-request": "1" }, { origin: "https://evil.example", "tessera-request": "1" }]) {
        const res = await refresh(t0, headers);
        assert.equal(res.status, 403);
        assert.equal((await res.json()).code, "ERR_CSRF");
        assert.equal(res.headers.get("set-cookie"), null);
      }
      assert.equal((await refresh(t0)).status, 200, "rejected requests changed nothing");
    },

    // Expiry with injected time (`advance(seconds)` moves the authority's clock).
    async expiry() {
      // The clock is real time + an offset: steps keep a margin of STEP_MARGIN seconds so real
      // time passing during the test cannot cross a boundary by accident.
      const STEP_MARGIN = 10;
      const idle = cookieOf(await login());
      await advance(IDLE_TTL);
      assert.equal((await refresh(idle)).status, 401, "idle expiry");
      let token = cookieOf(await login());
      let elapsed = 0;
      // Step until less than an idle period (with margins) remains of the absolute lifetime.
      while (SESSION_TTL - elapsed > IDLE_TTL - 3 * STEP_MARGIN) {
        const step = Math.min(IDLE_TTL - STEP_MARGIN, SESSION_TTL - elapsed - (IDLE_TTL - 3 * STEP_MARGIN) + STEP_MARGIN);
        await advance(step);
        elapsed += step;
        const res = await refresh(token);
        assert.equal(res.status, 200, `refresh at +${elapsed}s`);
        const maxAge = Number(res.headers.get("set-cookie").match(/Max-Age=(\d+)/)[1]);
        assert.ok(Math.abs(maxAge - (SESSION_TTL - elapsed)) <= STEP_MARGIN, `Max-Age ${maxAge} is the remaining absolute lifetime`);
        token = cookieOf(res);
      }
      // Less than an idle period passes, but the absolute lifetime runs out: rotation never extends it.
      assert.ok(SESSION_TTL - elapsed + STEP_MARGIN < IDLE_TTL - STEP_MARGIN);
      await advance(SESSION_TTL - elapsed + STEP_MARGIN);
      assert.equal((await refresh(token)).status, 401, "absolute expiry");
    },

    // `storeDown(flag)` makes the store fail.
    async storeFailure() {
      const t0 = cookieOf(await login());
      await storeDown(true);
      const down = await refresh(t0);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), { error: "temporarily_unavailable", code: "ERR_STORE_UNAVAILABLE" });
      assert.equal(down.headers.get("set-cookie"), null, "the cookie is kept");
      await storeDown(false);
      assert.equal((await refresh(t0)).status, 200, "nothing was half done");
    },

    async logoutAndRevokeSubject() {
      const t0 = cookieOf(await login());
      const out = await call("/auth/logout", { headers: { ...CSRF, cookie: t0 } });
      assert.equal(out.status, 200);
      assert.match(out.headers.get("set-cookie"), /Max-Age=0/);
      assert.equal((await refresh(t0)).status, 401);
      const b1 = cookieOf(await login("bob"));
      const b2 = cookieOf(await login("bob"));
      const carol = cookieOf(await login("carol"));
      assert.equal((await call("/auth/revoke-subject", { body: JSON.stringify({ sub: "bob" }) })).status, 204);
      assert.equal((await refresh(b1)).status, 401);
      assert.equal((await refresh(b2)).status, 401);
      assert.equal((await refresh(carol)).status, 200);
    },

    /** "Log out everywhere" holds whatever the store forgets (its subject record expired or was
     * evicted) and however far the clock moves: epochs never go back. */
    async revocationOutlivesItsRecord() {
      const me = async (response) => {
        const { access_token } = await response.json();
        return call("/api/me", { headers: { authorization: `Bearer ${access_token}` } });
      };
      const revoke = (sub) => call("/auth/revoke-subject", { body: JSON.stringify({ sub }) });
      const before = await login("dave");
      assert.equal((await revoke("dave")).status, 204);
      await advance(1);
      const between = await login("dave"); // after the first revocation: live
      const betweenCookie = cookieOf(between);
      const control = cookieOf(await login("erin"));
      assert.equal((await revoke("erin")).status, 204);
      assert.equal((await refresh(cookieOf(before))).status, 401);
      await advance(IDLE_TTL / 2);
      const rotated = await refresh(betweenCookie);
      assert.equal(rotated.status, 200, "the family started after the revocation lives");
      await forget("subject:dave");
      await forget("subject:erin");
      assert.equal((await revoke("dave")).status, 204, "the second log-out-everywhere");
      const refused = await refresh(cookieOf(rotated));
      assert.equal(refused.status, 401, "the family started between the two revocations is revoked");
      const denied = await me(rotated);
      assert.equal(denied.status, 401);
      assert.equal((await denied.json()).code, "ERR_REVOKED");
      assert.equal((await refresh(control)).status, 401, "a subject revoked once stays revoked");
      // Far past every TTL, the revoked cookies stay dead (expired by then, refused either way).
      await advance(SESSION_TTL * 3);
      assert.equal((await refresh(cookieOf(rotated))).status, 401);
    },
  };
}
