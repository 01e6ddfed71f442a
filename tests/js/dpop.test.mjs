// DPoP at the resource server (issue 17 item 3): `verifier.verifyRequest` with proofs made by
// oauth4webapi's DPoP client over real HTTP and by jose by hand (one thing wrong at a time), the
// RFC 9449 §7.1 answers of `errorResponse`, nonces, and the jti replay check across two Node
// processes on one Redis and across two requests in workerd on the Durable Object store.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import nodeCrypto from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair as joseKeyPair } from "jose";
import * as oauth from "oauth4webapi";
import { createClient } from "redis";
import { Verifier, errorResponse, TesseraError } from "tessera-auth/verify";
import { RedisStore } from "tessera-auth/redis";
import { ISSUER, AUDIENCE, keyPair, signer, caught, workerd } from "./helpers.mjs";
import { redisServer } from "./redis-server.mjs";

const { privateJwk, publicJwk } = keyPair("dpop-issuer");
const jwks = { keys: [publicJwk] };
const sign = signer(privateJwk);
const NONCE_SECRET = Buffer.alloc(32, 9).toString("base64url");

/** A client's DPoP key (WebCrypto, as a browser or oauth4webapi holds it) and its thumbprint. */
async function clientKey() {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const publicOnly = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { pair, jwk: publicOnly, jkt: await calculateJwkThumbprint(publicOnly) };
}

const bound = (key, sub = "alice") => sign.signSync({ sub, cnf: { jkt: key.jkt } }, { expiresIn: 600 });
const ath = async (token) => Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
let jtiCounter = 0;

/** A proof by `key` for `method url` and `token`; `claims`/`header` override (undefined removes). */
async function proof(key, { method = "GET", url = "https://api.example/orders", token, claims = {}, header = {}, signWith } = {}) {
  const payload = { jti: `jti-${process.pid}-${++jtiCounter}-${Math.random()}`, htm: method, htu: url, iat: now(), ...(token ? { ath: await ath(token) } : {}), ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const protectedHeader = { alg: "ES256", typ: "dpop+jwt", jwk: key.jwk, ...header };
  for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(signWith ?? key.pair.privateKey);
}

const request = (token, dpopProof, { method = "GET", url = "https://api.example/orders?page=2", scheme = "DPoP" } = {}) => ({
  method,
  url,
  headers: { authorization: `${scheme} ${token}`, ...(dpopProof ? { dpop: dpopProof } : {}) },
});

async function refused(verifier, req, options) {
  const error = await caught(() => verifier.verifyRequest(req, options));
  assert.ok(error instanceof TesseraError, String(error));
  return error;
}

test("a DPoP-bound token with its proof is accepted once; every refusal has its code and its RFC 9449 answer", async () => {
  const verifier = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
  const key = await clientKey();
  const token = bound(key);
  const good = await proof(key, { token });
  assert.equal((await verifier.verifyRequest(request(token, good))).sub, "alice");
  // A `Request` works as well as a plain object (Headers, any case of the scheme).
  const again = await proof(key, { token });
  const real = new Request("https://api.example/orders", { headers: { Authorization: `dpop ${token}`, DPoP: again } });
  assert.equal((await verifier.verifyRequest(real)).sub, "alice");

  const replay = await refused(verifier, request(token, good));
  assert.deepEqual([replay.code, replay.claim, replay.scheme], ["ERR_DPOP_REPLAY", "jti", "DPoP"]);
  const answer = errorResponse(replay);
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get("www-authenticate"), 'DPoP error="invalid_dpop_proof", algs="ES256"');
  assert.deepEqual(await answer.json(), { error: "invalid_dpop_proof", code: "ERR_DPOP_REPLAY" });

  const thief = await clientKey();
  const { privateKey: hmacKey } = { privateKey: new TextEncoder().encode("a shared secret of 32 bytes!!!!!") };
  const privateInHeader = { ...(await crypto.subtle.exportKey("jwk", key.pair.privateKey)) };
  const cases = [
    ["wrong method", request(token, await proof(key, { token }), { method: "POST" }), "ERR_INVALID_DPOP_PROOF", "htm"],
    ["wrong URL", request(token, await proof(key, { token, url: "https://api.example/admin" })), "ERR_INVALID_DPOP_PROOF", "htu"],
    ["stale iat", request(token, await proof(key, { token, claims: { iat: now() - 400 } })), "ERR_INVALID_DPOP_PROOF", "iat"],
    ["future iat", request(token, await proof(key, { token, claims: { iat: now() + 60 } })), "ERR_INVALID_DPOP_PROOF", "iat"],
    ["wrong ath", request(token, await proof(key, { token: "another token" })), "ERR_INVALID_DPOP_PROOF", "ath"],
    ["no ath", request(token, await proof(key, {})), "ERR_INVALID_DPOP_PROOF", "ath"],
    ["key mismatch", request(token, await proof(thief, { token })), "ERR_DPOP_BINDING", undefined],
    ["private key in the header", request(token, await proof(key, { token, header: { jwk: privateInHeader } })), "ERR_INVALID_DPOP_PROOF", "jwk"],
    ["alg HS256", request(token, await proof(key, { token, header: { alg: "HS256" }, signWith: hmacKey })), "ERR_INVALID_DPOP_PROOF", "alg"],
    ["typ jwt", request(token, await proof(key, { token, header: { typ: "JWT" } })), "ERR_INVALID_DPOP_PROOF", "typ"],
    ["no proof", request(token, undefined), "ERR_INVALID_DPOP_PROOF", undefined],
    ["two proofs", { method: "GET", url: "https://api.example/orders", headers: { authorization: `DPoP ${token}`, dpop: good, DPoP: good } }, "ERR_INVALID_DPOP_PROOF", undefined],
    ["the bound token as Bearer (a copied token)", request(token, undefined, { scheme: "Bearer" }), "ERR_DPOP_BINDING", undefined],
  ];
  for (const [name, req, code, claim] of cases) {
    const error = await refused(verifier, req);
    assert.equal(error.code, code, name);
    assert.equal(error.claim, claim, name);
    const response = errorResponse(error);
    assert.equal(response.status, 401, name);
    assert.match(response.headers.get("www-authenticate"), /^DPoP error="(invalid_dpop_proof|invalid_token)", algs="ES256"$/, name);
  }
  // A forged signature (64 bytes, r and s in range): node:crypto says no (Node's checker), so do
  // WebCrypto (a Verifier made without node:crypto) and the core (made without either).
  const [fh, fp, fs] = (await proof(key, { token })).split(".");
  const sig = Buffer.from(fs, "base64url");
  sig[10] ^= 1;
  const forged = `${fh}.${fp}.${sig.toString("base64url")}`;
  assert.equal((await refused(verifier, request(token, forged))).code, "ERR_INVALID_DPOP_PROOF");
  const entry = createRequire(import.meta.url)("tessera-auth/verify");
  const webcrypto = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  let viaWebCrypto;
  let inCore;
  entry.__setNativeVerifier(null);
  try {
    viaWebCrypto = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });
    try {
      inCore = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
    } finally {
      Object.defineProperty(globalThis, "crypto", webcrypto);
    }
  } finally {
    entry.__setNativeVerifier(entry.__nodeVerifier(() => nodeCrypto));
  }
  for (const [name, other] of [["WebCrypto", viaWebCrypto], ["the core", inCore]]) {
    assert.equal((await refused(other, request(token, forged))).code, "ERR_INVALID_DPOP_PROOF", `checked by ${name}`);
    assert.equal((await other.verifyRequest(request(token, await proof(key, { token })))).sub, "alice", `accepted by ${name}`);
  }
  // alg none: jose will not sign it; made by hand.
  const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "dpop+jwt", jwk: key.jwk })).toString("base64url")}.${Buffer.from(JSON.stringify({ jti: "n-1", htm: "GET", htu: "https://api.example/orders", iat: now(), ath: await ath(token) })).toString("base64url")}.`;
  assert.equal((await refused(verifier, request(token, none))).code, "ERR_INVALID_DPOP_PROOF");
  // The token itself is checked as ever: an expired bound token is ERR_EXPIRED, with a DPoP challenge.
  const expired = sign.signSync({ sub: "alice", cnf: { jkt: key.jkt } }, { expiresIn: 1, now: now() - 100 });
  const expiredError = await refused(verifier, request(expired, await proof(key, { token: expired })));
  assert.equal(expiredError.code, "ERR_EXPIRED");
  assert.equal(errorResponse(expiredError).headers.get("www-authenticate"), 'DPoP error="invalid_token", algs="ES256"');
  // Bearer tokens without cnf keep working, with the Bearer challenge on failure.
  const plain = sign.signSync({ sub: "bob" }, { expiresIn: 60 });
  assert.equal((await verifier.verifyRequest(request(plain, undefined, { scheme: "Bearer" }))).sub, "bob");
  const bearerError = await refused(verifier, request(`${plain}x`, undefined, { scheme: "Bearer" }));
  assert.equal(errorResponse(bearerError).headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  // Nothing a caller passes can throw from inside: hostile requests are ERR_MALFORMED.
  const hostile = [null, 42, { method: "GET" }, { get method() { throw new Error("boom"); }, url: "x", headers: {} }, { method: "GET", url: "https://api.example/", headers: { authorization: 7 } }];
  for (const req of hostile) assert.equal((await refused(verifier, req)).code, "ERR_MALFORMED");
  verifier.free();
});

test("server nonces: use_dpop_nonce with DPoP-Nonce, then accepted; an expired nonce asks again", async () => {
  const verifier = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, dpop: { nonceSecret: NONCE_SECRET, nonceLifetime: 60, required: true } });
  const key = await clientKey();
  const token = bound(key);
  const first = await refused(verifier, request(token, await proof(key, { token })));
  assert.equal(first.code, "ERR_USE_DPOP_NONCE");
  const answer = errorResponse(first);
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get("www-authenticate"), 'DPoP error="use_dpop_nonce", algs="ES256"');
  const nonce = answer.headers.get("dpop-nonce");
  assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(nonce, first.dpopNonce);
  assert.equal((await verifier.verifyRequest(request(token, await proof(key, { token, claims: { nonce } })))).sub, "alice");
  // Two lifetimes later the nonce is stale (the proof and the token are fresh then).
  const later = now() + 150;
  const lateToken = sign.signSync({ sub: "alice", cnf: { jkt: key.jkt } }, { expiresIn: 600, now: later });
  const stale = await refused(verifier, request(lateToken, await proof(key, { token: lateToken, claims: { nonce, iat: later } })), { now: later });
  assert.equal(stale.code, "ERR_USE_DPOP_NONCE");
  assert.notEqual(stale.dpopNonce, nonce);
  // required: Bearer is refused even for an unbound token.
  const plain = sign.signSync({ sub: "bob" }, { expiresIn: 60 });
  assert.equal((await refused(verifier, request(plain, undefined, { scheme: "Bearer" }))).code, "ERR_DPOP_BINDING");
  verifier.free();
});

test("interop: oauth4webapi's DPoP client against verifyRequest over HTTP, nonce retry included", async () => {
  const verifier = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, dpop: { nonceSecret: NONCE_SECRET } });
  const server = createServer(async (req, res) => {
    const url = `http://${req.headers.host}${req.url}`;
    let response;
    try {
      const claims = await verifier.verifyRequest({ method: req.method, url, headers: req.headers });
      response = Response.json({ sub: claims.sub, method: req.method });
    } catch (error) {
      response = errorResponse(error);
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const handle = oauth.DPoP({}, pair);
    const token = sign.signSync({ sub: "carol", cnf: { jkt: await handle.calculateThumbprint() } }, { expiresIn: 600 });
    const url = new URL(`http://127.0.0.1:${server.address().port}/orders?page=1#top`);
    const call = (method) => oauth.protectedResourceRequest(token, method, url, new Headers(), method === "POST" ? "{}" : null, { DPoP: handle, [oauth.allowInsecureRequests]: true });
    // First call: the server wants a nonce; oauth4webapi keeps the DPoP-Nonce and the retry passes.
    const challenge = await caught(() => call("GET"));
    assert.ok(oauth.isDPoPNonceError(challenge), String(challenge));
    assert.deepEqual(await (await call("GET")).json(), { sub: "carol", method: "GET" });
    assert.deepEqual(await (await call("POST")).json(), { sub: "carol", method: "POST" });
    // Without the key the copied token is worthless: as Bearer, and with a thief's own key.
    const asBearer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    assert.equal((await asBearer.json()).code, "ERR_DPOP_BINDING");
    const thief = oauth.DPoP({}, await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]));
    const stolen = await caught(() => oauth.protectedResourceRequest(token, "GET", url, new Headers(), null, { DPoP: thief, [oauth.allowInsecureRequests]: true }));
    assert.ok(stolen instanceof oauth.WWWAuthenticateChallengeError || oauth.isDPoPNonceError(stolen));
  } finally {
    server.close();
    verifier.free();
  }
});

let redis;
before(async () => {
  redis = await redisServer();
});
after(async () => {
  await redis?.close();
});

test("replay across two Node processes on one Redis: the same proof is accepted once", async () => {
  const key = await clientKey();
  const token = bound(key);
  const dpop = await proof(key, { token, url: "https://api.example/orders" });
  const child = fileURLToPath(new URL("./dpop-child.mjs", import.meta.url));
  const run = () => {
    const proc = spawn(process.execPath, [child], {
      env: { ...process.env, REDIS_URL: redis.url, JWKS: JSON.stringify(jwks), ISSUER, AUDIENCE, TOKEN: token, PROOF: dpop },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    return once(proc, "exit").then(() => out.trim());
  };
  const results = (await Promise.all([run(), run()])).sort();
  assert.deepEqual(results, ["ERR_DPOP_REPLAY", "ok alice"]);
  // The record holds the thumbprint-scoped key, with a TTL within the proof window.
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const keys = await client.keys("dpop-test:dpop-jti:*");
    assert.equal(keys.length, 1);
    assert.ok(keys[0].startsWith(`dpop-test:dpop-jti:${key.jkt}:`));
    const ttl = await client.ttl(keys[0]);
    assert.ok(ttl > 250 && ttl <= 302, `ttl ${ttl}`);
  } finally {
    await client.quit();
  }
  // A store that fails is a 503, never an accepted proof.
  const failing = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, dpop: { replayStore: { put: async () => { throw new Error("down"); } } } });
  const error = await refused(failing, request(token, await proof(key, { token })));
  assert.equal(error.code, "ERR_STORE_UNAVAILABLE");
  assert.equal(errorResponse(error).status, 503);
  const odd = await caught(() => new Verifier({ jwks, dpop: { replayStore: { get() {} } } }));
  assert.equal(odd.code, "ERR_INVALID_OPTIONS");
  // Hostile options: throwing getters are coded errors naming the option, never an exception from inside.
  for (const options of [
    { jwks, get dpop() { throw new Error("boom"); } },
    { jwks, dpop: { get replayStore() { throw new Error("boom"); } } },
    { jwks, dpop: { replayStore: { get put() { throw new Error("boom"); } } } },
    { jwks, dpop: { replayStore: { put: async () => true }, get maxAge() { throw new Error("boom"); } } },
  ]) {
    const hostile = await caught(() => new Verifier(options));
    assert.ok(hostile instanceof TesseraError, String(hostile));
    assert.equal(hostile.code, "ERR_INVALID_OPTIONS");
  }
  failing.free();
});

test("replay across two requests in workerd on the Durable Object store (a fresh Verifier per request)", async () => {
  const mf = await workerd(new URL("./worker/dpop-worker.js", import.meta.url), {
    durableObjects: { SEEN: "TesseraStoreObject" },
    bindings: { JWKS: JSON.stringify(jwks), ISSUER, AUDIENCE },
  });
  try {
    const key = await clientKey();
    const token = bound(key);
    const dpop = await proof(key, { token, url: "http://localhost/orders" });
    const send = () => mf.dispatchFetch("http://localhost/orders", { headers: { authorization: `DPoP ${token}`, dpop } });
    const first = await send();
    assert.deepEqual(await first.json(), { sub: "alice" });
    const second = await send();
    assert.equal(second.status, 401);
    assert.equal(second.headers.get("www-authenticate"), 'DPoP error="invalid_dpop_proof", algs="ES256"');
    assert.equal((await second.json()).code, "ERR_DPOP_REPLAY");
    const fresh = await mf.dispatchFetch("http://localhost/orders", { headers: { authorization: `DPoP ${token}`, dpop: await proof(key, { token, url: "http://localhost/orders" }) } });
    assert.equal(fresh.status, 200);
  } finally {
    await mf.dispose();
  }
});

test("the Authority binds a session to the login proof's key: DPoP tokens, refreshes only by that key, verifyRequest downstream", async () => {
  const { Authority } = await import("tessera-auth/authority");
  const ORIGIN = "https://app.example";
  const { privateJwk: signingKey } = keyPair("as-key");
  const authority = new Authority({ issuer: ISSUER, audience: AUDIENCE, signingKeys: [signingKey], allowedOrigins: [ORIGIN], dpop: "allowed" });
  const key = await clientKey();
  const endpoint = (path) => `${ISSUER}/auth/${path}`;
  const post = async (path, { cookie, dpopKey = key, dpopProof } = {}) => {
    const headers = { origin: ORIGIN, "tessera-request": "1", ...(cookie ? { cookie } : {}) };
    const made = dpopProof ?? (dpopKey ? await proof(dpopKey, { method: "POST", url: endpoint(path) }) : undefined);
    if (made) headers.dpop = made;
    return new Request(endpoint(path), { method: "POST", headers });
  };
  const login = await authority.login(await post("login"), { sub: "alice", scope: "read" });
  assert.equal(login.status, 200);
  const body = await login.json();
  assert.equal(body.token_type, "DPoP");
  const cookie = login.headers.get("set-cookie").split(";")[0];
  // The access token is bound: downstream, verifyRequest wants a proof by the same key.
  const verifier = new Verifier({ jwks: authority.jwks(), issuer: ISSUER, audience: AUDIENCE });
  const claims = await verifier.verifyRequest(request(body.access_token, await proof(key, { token: body.access_token })));
  assert.equal(claims.cnf.jkt, key.jkt);
  const bearerUse = await refused(verifier, request(body.access_token, undefined, { scheme: "Bearer" }));
  assert.equal(bearerUse.code, "ERR_DPOP_BINDING");
  // Authority.errorResponse answers a Verifier's DPoP errors as errorResponse does (challenge, nonce).
  const noProof = await refused(verifier, request(body.access_token, undefined));
  for (const error of [bearerUse, noProof]) {
    const [mine, shared] = [Authority.errorResponse(error), errorResponse(error)];
    assert.equal(mine.status, shared.status);
    assert.deepEqual([...mine.headers], [...shared.headers]);
  }
  assert.match(Authority.errorResponse(noProof).headers.get("www-authenticate"), /^DPoP error="invalid_dpop_proof"/);
  // Where no proof can be seen, a bound token is refused: verify, verifySync, Authority.verify.
  for (const attempt of [() => verifier.verify(body.access_token), async () => verifier.verifySync(body.access_token), () => authority.verify(body.access_token)]) {
    await assert.rejects(attempt, (e) => e instanceof TesseraError && e.code === "ERR_DPOP_BINDING");
  }
  // Authority.verifyRequest: the proof (spent once), then the session's liveness.
  const proved = request(body.access_token, await proof(key, { token: body.access_token }));
  assert.equal((await authority.verifyRequest(proved)).sub, "alice");
  assert.equal((await refused(authority, proved)).code, "ERR_DPOP_REPLAY");
  assert.equal((await refused(authority, request(body.access_token, await proof(await clientKey(), { token: body.access_token })))).code, "ERR_DPOP_BINDING");
  assert.equal((await refused(authority, request(body.access_token, undefined, { scheme: "Bearer" }))).code, "ERR_DPOP_BINDING");
  // Refresh: the thief's key, no proof, a replayed proof: 400 invalid_dpop_proof and nothing changes.
  const thief = await clientKey();
  for (const [name, req, code] of [
    ["thief", await post("refresh", { cookie, dpopKey: thief }), "ERR_INVALID_DPOP_PROOF"],
    ["no proof", await post("refresh", { cookie, dpopKey: null }), "ERR_INVALID_DPOP_PROOF"],
    ["replayed login proof", await post("refresh", { cookie, dpopProof: (await post("login")).headers.get("dpop") }), "ERR_INVALID_DPOP_PROOF"],
  ]) {
    const answer = await authority.handle(req);
    assert.equal(answer.status, 400, name);
    assert.deepEqual(await answer.json(), { error: "invalid_dpop_proof", code }, name);
    assert.equal(answer.headers.get("set-cookie"), null, `${name}: the cookie is kept`);
  }
  const same = await post("refresh", { cookie });
  const replay = new Request(same.url, { method: "POST", headers: same.headers });
  const refreshed = await authority.handle(same);
  assert.equal(refreshed.status, 200);
  assert.equal((await refreshed.json()).token_type, "DPoP");
  const again = await authority.handle(replay);
  assert.deepEqual(await again.json(), { error: "invalid_dpop_proof", code: "ERR_DPOP_REPLAY" });
  // Revoked: a valid proof does not bring a revoked session back.
  await authority.revokeSubject("alice");
  const late = request(body.access_token, await proof(key, { token: body.access_token }));
  assert.equal((await refused(authority, late)).code, "ERR_REVOKED");
  verifier.free();
});

test("the Authority spends login proofs in its store: the same proof twice on one Redis is refused", async () => {
  const { Authority } = await import("tessera-auth/authority");
  const ORIGIN = "https://app.example";
  const { privateJwk: signingKey } = keyPair("as-redis");
  const client = createClient({ url: redis.url, disableOfflineQueue: true });
  await client.connect();
  try {
    const options = {
      issuer: ISSUER, audience: AUDIENCE, signingKeys: [signingKey], allowedOrigins: [ORIGIN], dpop: "required",
      refreshSecret: Buffer.alloc(32, 5).toString("base64url"), store: new RedisStore(client, { prefix: "dpop-as:" }),
    };
    const [one, two] = [new Authority(options), new Authority(options)];
    const key = await clientKey();
    const url = `${ISSUER}/auth/login`;
    const dpop = await proof(key, { method: "POST", url });
    const req = () => new Request(url, { method: "POST", headers: { origin: ORIGIN, "tessera-request": "1", dpop } });
    const first = await one.login(req(), { sub: "alice" });
    assert.equal(first.status, 200);
    const second = await two.login(req(), { sub: "alice" });
    assert.deepEqual([second.status, await second.json()], [400, { error: "invalid_dpop_proof", code: "ERR_DPOP_REPLAY" }]);
    const none = await one.login(new Request(url, { method: "POST", headers: { origin: ORIGIN, "tessera-request": "1" } }), { sub: "alice" });
    assert.equal((await none.json()).code, "ERR_INVALID_DPOP_PROOF");
  } finally {
    await client.quit();
  }
});

test("a DPoP-bound RS256 token (its signature checked by node:crypto) is refused by verify and verifySync, and accepted by verifyRequest with its proof", async () => {
  const { publicKey, privateKey } = await joseKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const rsaJwk = { ...(await exportJWK(publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" };
  const verifier = new Verifier({ jwks: { keys: [rsaJwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["RS256"] });
  const key = await clientKey();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sub: "rita", cnf: { jkt: key.jkt } })
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: "rsa-1" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
  for (const attempt of [() => verifier.verify(token), async () => verifier.verifySync(token)]) {
    await assert.rejects(attempt, (e) => e instanceof TesseraError && e.code === "ERR_DPOP_BINDING");
  }
  assert.equal((await verifier.verifyRequest(request(token, await proof(key, { token })))).sub, "rita");
  verifier.free();
});

test("authority.verifyRequest keeps its proofs' jtis out of the session store (one client cannot fill it), and refuses a replay", async () => {
  const { Authority, MemoryStore } = await import("tessera-auth/authority");
  const ORIGIN = "https://app.example";
  const store = new MemoryStore();
  const authority = new Authority({ issuer: ISSUER, audience: AUDIENCE, signingKeys: [keyPair("as-key-2").privateJwk], allowedOrigins: [ORIGIN], dpop: "allowed", store });
  const key = await clientKey();
  const url = `${ISSUER}/auth/login`;
  const login = await authority.login(new Request(url, { method: "POST", headers: { origin: ORIGIN, "tessera-request": "1", dpop: await proof(key, { method: "POST", url }) } }), { sub: "alice", scope: "read" });
  const { access_token: token } = await login.json();
  const records = store.size;
  for (let i = 0; i < 20; i++) assert.equal((await authority.verifyRequest(request(token, await proof(key, { token })))).sub, "alice");
  assert.equal(store.size, records, "no store record per API request");
  const once = request(token, await proof(key, { token }));
  await authority.verifyRequest(once);
  assert.equal((await refused(authority, once)).code, "ERR_DPOP_REPLAY");
  authority.free();
});
