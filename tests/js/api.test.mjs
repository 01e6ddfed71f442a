// The JS API of the built package in Node: shapes, options, errors, sync/async agreement,
// remote key sets.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Verifier, Signer, generateKeyPair } from "tessera-auth";
import { ISSUER, AUDIENCE, keyPair, signer, b64url, caught, jwksServer } from "./helpers.mjs";

const NOW = 1_800_000_000;
const { privateJwk, publicJwk } = keyPair("k1");
const sign = signer(privateJwk);
const jwks = { keys: [publicJwk] };
const verifier = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, profile: "at+jwt" });
const good = sign.signSync({ sub: "user-1", client_id: "app", scope: "read write" }, { now: NOW, expiresIn: 300 });

test("generateKeyPair returns ES256 JWKs, private with d, public without", () => {
  const pair = generateKeyPair({ kid: "mine" });
  assert.deepEqual(Object.keys(pair).sort(), ["privateJwk", "publicJwk"]);
  assert.equal(pair.privateJwk.kty, "EC");
  assert.equal(pair.privateJwk.crv, "P-256");
  assert.equal(pair.privateJwk.alg, "ES256");
  assert.equal(pair.privateJwk.kid, "mine");
  assert.equal(typeof pair.privateJwk.d, "string");
  assert.equal(pair.publicJwk.d, undefined);
  assert.equal(pair.publicJwk.x, pair.privateJwk.x);
  // Without a kid, the RFC 7638 thumbprint is the kid.
  const bare = generateKeyPair();
  assert.match(bare.publicJwk.kid, /^[A-Za-z0-9_-]{43}$/);
});

test("sign sets header and registered claims; verify and verifySync return the claims", async () => {
  const [h, p] = good.split(".");
  assert.deepEqual(JSON.parse(Buffer.from(h, "base64url")), { alg: "ES256", kid: "k1", typ: "at+jwt" });
  const claims = JSON.parse(Buffer.from(p, "base64url"));
  assert.equal(claims.iat, NOW);
  assert.equal(claims.exp, NOW + 300);
  assert.match(claims.jti, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(sign.kid, "k1");
  assert.deepEqual(sign.publicJwk(), publicJwk);
  const asyncClaims = await verifier.verify(good, { now: NOW + 1, requiredScopes: ["read"] });
  const syncClaims = verifier.verifySync(good, { now: NOW + 1, requiredScopes: ["read"] });
  assert.deepEqual(asyncClaims, syncClaims);
  assert.equal(asyncClaims.sub, "user-1");
  assert.equal(asyncClaims.iss, ISSUER);
  const token = await sign.sign({ sub: "u", client_id: "c" }, { now: NOW });
  assert.equal((await verifier.verify(token, { now: NOW })).sub, "u");
  // Each token gets a fresh jti.
  assert.notEqual(sign.signSync({ sub: "u" }, { now: NOW }), sign.signSync({ sub: "u" }, { now: NOW }));
});

test("errors are TesseraError with a stable code, claim where one failed, and no token bytes", async () => {
  const error = await caught(() => verifier.verify(good, { now: NOW + 300 }));
  assert.ok(error instanceof Error);
  assert.equal(error.name, "TesseraError");
  assert.equal(error.code, "ERR_EXPIRED");
  assert.equal(error.claim, "exp");
  assert.match(error.stack, /TesseraError/);
  for (const part of good.split(".")) assert.ok(!error.message.includes(part.slice(0, 12)));
  assert.ok(!error.message.includes("user-1"));
});

// Cases: [name, token, verify options, expected code or null]
function cases() {
  const other = keyPair("k1");
  const wrongKey = signer(other.privateJwk).signSync({ sub: "x", client_id: "c" }, { now: NOW });
  const [h, p, s] = good.split(".");
  const header = (obj) => b64url(obj);
  return [
    ["valid", good, { now: NOW }, null],
    ["valid with scopes", good, { now: NOW, requiredScopes: ["read", "write"] }, null],
    ["expired", good, { now: NOW + 300 }, "ERR_EXPIRED"],
    ["issued in future", good, { now: NOW - 10 }, "ERR_ISSUED_IN_FUTURE"],
    ["insufficient scope", good, { now: NOW, requiredScopes: ["admin"] }, "ERR_INSUFFICIENT_SCOPE"],
    ["wrong key", wrongKey, { now: NOW }, "ERR_BAD_SIGNATURE"],
    ["tampered payload", `${h}.${b64url({ sub: "admin" })}.${s}`, { now: NOW }, "ERR_BAD_SIGNATURE"],
    ["tampered signature", `${h}.${p}.${s.slice(0, -2)}${s.at(-2) === "A" ? "B" : "A"}${s.at(-1)}`, { now: NOW }, "ERR_BAD_SIGNATURE"],
    ["alg none", `${header({ alg: "none" })}.${p}.`, { now: NOW }, "ERR_MALFORMED"],
    ["alg none with sig", `${header({ alg: "none", kid: "k1" })}.${p}.${s}`, { now: NOW }, "ERR_ALG_NOT_ALLOWED"],
    ["alg HS256", `${header({ alg: "HS256", kid: "k1" })}.${p}.${s}`, { now: NOW }, "ERR_ALG_NOT_ALLOWED"],
    ["crit", `${header({ alg: "ES256", kid: "k1", crit: ["exp"] })}.${p}.${s}`, { now: NOW }, "ERR_UNSUPPORTED"],
    ["b64 false", `${header({ alg: "ES256", kid: "k1", b64: false })}.${p}.${s}`, { now: NOW }, "ERR_UNSUPPORTED"],
    ["unknown kid", `${header({ alg: "ES256", kid: "nope", typ: "at+jwt" })}.${p}.${s}`, { now: NOW }, "ERR_NO_MATCHING_KEY"],
    ["duplicate header member", `${b64url('{"alg":"ES256","alg":"ES256","kid":"k1"}')}.${p}.${s}`, { now: NOW }, "ERR_MALFORMED"],
    ["padding", `${h}.${p}.${s}=`, { now: NOW }, "ERR_MALFORMED"],
    ["two segments", `${h}.${p}`, { now: NOW }, "ERR_MALFORMED"],
    ["four segments", `${good}.${s}`, { now: NOW }, "ERR_MALFORMED"],
    ["whitespace", ` ${good}`, { now: NOW }, "ERR_MALFORMED"],
    ["empty", "", { now: NOW }, "ERR_MALFORMED"],
    ["huge", "a".repeat(20000), { now: NOW }, "ERR_MALFORMED"],
    ["not a string", 42, { now: NOW }, "ERR_MALFORMED"],
    ["bad options", good, { now: "soon" }, "ERR_INVALID_OPTIONS"],
    ["unknown verify option", good, { nowww: NOW }, "ERR_INVALID_OPTIONS"],
    ["negative now", good, { now: -1 }, "ERR_INVALID_OPTIONS"],
  ];
}

/** A token over exactly this payload text (any JSON a signer might emit), signed with node:crypto. */
function rawToken(payloadText, jwk = privateJwk) {
  const signingInput = `${b64url({ alg: "ES256", kid: jwk.kid })}.${b64url(payloadText)}`;
  const key = crypto.createPrivateKey({ key: jwk, format: "jwk" });
  const signature = crypto.sign("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}

test("every call returns a new claims object, also when the token is served from the cache", async () => {
  const plain = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
  const token = sign.signSync({ sub: "user-1", client_id: "app", roles: ["a"], ctx: { tenant: "t1" } }, { now: NOW });
  const first = plain.verifySync(token, { now: NOW });
  // A caller changing its result, deeply, must not change what the next caller gets.
  first.sub = "admin";
  first.roles.push("admin");
  first.ctx.tenant = "t2";
  first.extra = true;
  for (const next of [plain.verifySync(token, { now: NOW }), await plain.verify(token, { now: NOW })]) {
    assert.notEqual(next, first);
    assert.equal(next.sub, "user-1");
    assert.deepEqual(next.roles, ["a"]);
    assert.deepEqual(next.ctx, { tenant: "t1" });
    assert.equal(next.extra, undefined);
  }
  assert.notEqual(plain.verifySync(token, { now: NOW }), plain.verifySync(token, { now: NOW }));
});

test("a cached token still gets every claim check at the new now", async () => {
  const plain = new Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
  const token = sign.signSync({ sub: "u", scope: "read" }, { now: NOW, expiresIn: 60 });
  assert.equal(plain.verifySync(token, { now: NOW }).sub, "u");
  assert.equal(plain.verifySync(token, { now: NOW + 59, requiredScopes: ["read"] }).sub, "u");
  for (const run of [(o) => plain.verifySync(token, o), (o) => plain.verify(token, o)]) {
    assert.equal((await caught(() => run({ now: NOW + 60 }))).code, "ERR_EXPIRED");
    assert.equal((await caught(() => run({ now: NOW - 1 }))).code, "ERR_ISSUED_IN_FUTURE");
    assert.equal((await caught(() => run({ now: NOW, requiredScopes: ["write"] }))).code, "ERR_INSUFFICIENT_SCOPE");
  }
  // Another verifier's rules apply to the same token (no cache is shared between verifiers).
  const other = new Verifier({ jwks, issuer: ISSUER, audience: "https://other.example" });
  assert.equal((await caught(() => other.verifySync(token, { now: NOW }))).code, "ERR_BAD_AUDIENCE");
});

test("claims come back as JSON would parse them: __proto__ is an own property, text is UTF-8", async () => {
  const plain = new Verifier({ jwks });
  const token = rawToken('{"sub":"\u00e9\ud83d\ude00 é","__proto__":{"admin":true},"n":-0.5,"big":9007199254740991}');
  for (let round = 0; round < 2; round++) {
    for (const claims of [plain.verifySync(token, { now: NOW }), await plain.verify(token, { now: NOW })]) {
      assert.equal(Object.getPrototypeOf(claims), Object.prototype, `round ${round}`);
      assert.equal(claims.admin, undefined);
      assert.ok(Object.hasOwn(claims, "__proto__"));
      assert.deepEqual(Object.getOwnPropertyDescriptor(claims, "__proto__").value, { admin: true });
      assert.equal(claims.sub, "\u00e9\u{1F600} \u00e9");
      assert.equal(claims.n, -0.5);
      assert.equal(claims.big, Number.MAX_SAFE_INTEGER);
    }
  }
});

test("integers JavaScript cannot hold exactly are refused, not rounded", async () => {
  const plain = new Verifier({ jwks });
  // Beyond 2^53 − 1 whatever the size: past 2^64 (both became 18446744073709552000 before), and
  // integers written with an exponent or a fraction of zeros.
  const unsafe = ["9007199254740993", "-9007199254740993", "18446744073709551617", "18446744073709551618", "1e16", "9007199254740993.0", "-1E400"];
  for (const text of [...unsafe.map((n) => `{"sub":"u","id":${n}}`), '{"sub":"u","ids":[{"id":-9007199254740993}]}']) {
    const token = rawToken(text);
    assert.equal((await caught(() => plain.verify(token, { now: NOW }))).code, "ERR_MALFORMED");
    assert.equal((await caught(() => plain.verifySync(token, { now: NOW }))).code, "ERR_MALFORMED");
  }
});

test("token strings: non-ASCII, lone surrogates and oversized text are ERR_MALFORMED, never a crash", async () => {
  const plain = new Verifier({ jwks });
  const [h, p, s] = good.split(".");
  const bad = [
    `${h}.${p}.${s}\u00e9`,
    `${h}.${p}.\ud800${s}`,
    `\u{1F600}`.repeat(5000), // 10,000 UTF-16 units, 20,000 UTF-8 bytes: over the 16 KiB limit
    "\u00e9".repeat(16 * 1024),
    "a".repeat(16 * 1024 + 1),
    new String(good),
    null,
  ];
  for (const token of bad) {
    assert.equal((await caught(() => plain.verify(token, { now: NOW }))).code, "ERR_MALFORMED");
    assert.equal((await caught(() => plain.verifySync(token, { now: NOW }))).code, "ERR_MALFORMED");
  }
  // The largest accepted size is read whole (then refused for its shape, not its size).
  const longest = await caught(() => plain.verifySync("a".repeat(16 * 1024), { now: NOW }));
  assert.equal(longest.code, "ERR_MALFORMED");
  assert.doesNotMatch(longest.message, /too large/);
  assert.equal(verifier.verifySync(good, { now: NOW }).sub, "user-1");
});

test("verify and verifySync make the same decision on every case", async () => {
  for (const [name, token, options, expected] of cases()) {
    let asyncResult, syncResult;
    try {
      asyncResult = { claims: await verifier.verify(token, options) };
    } catch (error) {
      asyncResult = { code: error.code, claim: error.claim };
    }
    try {
      syncResult = { claims: verifier.verifySync(token, options) };
    } catch (error) {
      syncResult = { code: error.code, claim: error.claim };
    }
    assert.deepEqual(asyncResult, syncResult, name);
    assert.equal(asyncResult.code ?? null, expected, name);
  }
});

test("unknown or ill-typed options throw ERR_INVALID_OPTIONS naming the option", () => {
  const bad = [
    [{ jwks, issuer: ISSUER, audiance: AUDIENCE }, "audiance"],
    [{ jwks, clockTolerance: "30s" }, "clockTolerance"],
    [{ jwks, algorithms: ["HS256"] }, "algorithms"],
    [{ jwks, claims: { aud: AUDIENCE } }, "claims"],
    [{ jwks, discovery: true, issuer: ISSUER }, "discovery"],
    [{ jwks, algorithms: "ES256" }, "algorithms"],
    [{ jwks, profile: "at+jwt" }, "profile"],
    [{ jwks, profile: "id_token", issuer: ISSUER, audience: AUDIENCE }, "profile"],
    [{ jwks, maxTokenAge: -5 }, "maxTokenAge"],
    [{ jwks, requiredClaims: "sub" }, "requiredClaims"],
    [{ issuer: ISSUER }, "jwks"],
    [{ jwks, jwksUrl: "https://a.example/jwks" }, "jwks"],
    [{ jwksUrl: "http://a.example/jwks" }, "jwksUrl"],
  ];
  for (const [options, option] of bad) {
    const error = (() => {
      try {
        new Verifier(options);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error, `accepted ${JSON.stringify(options)}`);
    assert.equal(error.code, "ERR_INVALID_OPTIONS", option);
    assert.ok(error.message.includes(option), `${error.message} should name ${option}`);
  }
  assert.throws(() => new Verifier(), { code: "ERR_INVALID_OPTIONS" });
  assert.throws(() => new Verifier("jwks"), { code: "ERR_INVALID_OPTIONS" });
  assert.throws(() => new Signer({ privateJwk: publicJwk }), { code: "ERR_INVALID_KEY" });
  assert.throws(() => new Signer({ privateJwk, issuer: ISSUER, extra: 1 }), { code: "ERR_INVALID_OPTIONS" });
  assert.throws(() => sign.signSync({ sub: "u" }, { expiresIn: 0 }), { code: "ERR_INVALID_OPTIONS", claim: "expiresIn" });
  assert.throws(() => sign.signSync({ iat: 5 }), { code: "ERR_INVALID_OPTIONS", claim: "iat" });
  assert.throws(() => sign.signSync("claims"), { code: "ERR_INVALID_OPTIONS", claim: "claims" });
  assert.throws(() => generateKeyPair({ kid: 5 }), { code: "ERR_INVALID_OPTIONS", claim: "kid" });
  // A verification key set holding a private key is refused.
  assert.throws(() => new Verifier({ jwks: { keys: [privateJwk] } }), { code: "ERR_INVALID_KEY" });
});

test("algorithms: [] allows nothing", async () => {
  const none = new Verifier({ jwks, algorithms: [], issuer: ISSUER, audience: AUDIENCE });
  assert.equal((await caught(() => none.verify(good, { now: NOW }))).code, "ERR_ALG_NOT_ALLOWED");
});

test("remote key set: fetched once, cached, refetched for an unknown kid at most once per cooldown", async () => {
  const server = await jwksServer(jwks);
  try {
    const remote = new Verifier({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE, cooldownDuration: 30_000 });
    assert.equal((await caught(() => remote.verifySync(good, { now: NOW }))).code, "ERR_JWKS_FETCH", "verifySync never fetches");
    // Concurrent first verifications share one fetch in Node.
    server.delayMs = 50;
    const results = await Promise.all([1, 2, 3].map(() => remote.verify(good, { now: NOW })));
    assert.equal(results.length, 3);
    assert.equal(server.hits, 1);
    server.delayMs = 0;
    assert.equal(remote.verifySync(good, { now: NOW }).sub, "user-1", "verifySync uses the cache");
    // A new key appears at the issuer: the unknown kid triggers one refetch.
    const rotated = keyPair("k2");
    server.body = { keys: [publicJwk, rotated.publicJwk] };
    const newToken = signer(rotated.privateJwk).signSync({ sub: "u2", client_id: "c" }, { now: NOW });
    assert.equal((await remote.verify(newToken, { now: NOW + 40 })).sub, "u2");
    assert.equal(server.hits, 2);
    // Unknown kids within the cooldown do not cause fetches.
    const stranger = signer(keyPair("k3").privateJwk).signSync({ sub: "u3", client_id: "c" }, { now: NOW });
    assert.equal((await caught(() => remote.verify(stranger, { now: NOW + 50 }))).code, "ERR_NO_MATCHING_KEY");
    assert.equal(server.hits, 2);
    // Export / import: a new verifier starts warm, without fetching.
    const state = remote.exportState();
    assert.equal(state.url, server.url);
    const warm = new Verifier({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE });
    warm.importState(state);
    assert.equal(warm.verifySync(newToken, { now: NOW + 60 }).sub, "u2");
    assert.equal((await warm.verify(newToken, { now: NOW + 60 })).sub, "u2");
    assert.equal(server.hits, 2);
    assert.throws(() => warm.importState({ ...state, url: "https://elsewhere.example/jwks" }), { code: "ERR_INVALID_OPTIONS" });
    assert.throws(() => warm.importState({ ...state, jwks: { keys: [privateJwk] } }), { code: "ERR_INVALID_KEY" });
    assert.equal(warm.verifySync(newToken, { now: NOW + 60 }).sub, "u2", "a failed import changes nothing");
    assert.equal(verifier.exportState(), null);
  } finally {
    await server.close();
  }
});

// A key the provider removed must stop verifying at once, even for tokens already in the
// verified-token cache (the cache is keyed on the key set it was verified under).
test("remote key set: cached tokens stop verifying when their key leaves the set", async () => {
  const server = await jwksServer(jwks);
  try {
    const remote = new Verifier({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE, cacheMaxAge: 1000 });
    assert.equal((await remote.verify(good, { now: NOW })).sub, "user-1");
    assert.equal(remote.verifySync(good, { now: NOW }).sub, "user-1", "cached");
    const next = keyPair("k2");
    server.body = { keys: [next.publicJwk] }; // k1 removed
    const later = NOW + 2; // past cacheMaxAge (1 s): the next verify refetches
    const fresh = signer(next.privateJwk).signSync({ sub: "u2", client_id: "c" }, { now: NOW });
    assert.equal((await remote.verify(fresh, { now: later })).sub, "u2");
    assert.equal(server.hits, 2);
    assert.equal((await caught(() => remote.verify(good, { now: later }))).code, "ERR_NO_MATCHING_KEY");
    assert.equal((await caught(() => remote.verifySync(good, { now: later }))).code, "ERR_NO_MATCHING_KEY");
  } finally {
    await server.close();
  }
});

test("remote key set failures are ERR_JWKS_FETCH and never replace a good set", async () => {
  const server = await jwksServer(jwks);
  try {
    const remote = new Verifier({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE, cacheMaxAge: 100_000, cooldownDuration: 10_000 });
    server.status = 500;
    assert.equal((await caught(() => remote.verify(good, { now: NOW }))).code, "ERR_JWKS_FETCH");
    // Within the cooldown after a failure: no new attempt.
    assert.equal((await caught(() => remote.verify(good, { now: NOW + 5 }))).code, "ERR_JWKS_FETCH");
    assert.equal(server.hits, 1);
    server.status = 200;
    server.body = "{not json";
    assert.equal((await caught(() => remote.verify(good, { now: NOW + 11 }))).code, "ERR_JWKS_FETCH");
    server.body = jwks;
    assert.equal((await remote.verify(good, { now: NOW + 22 })).sub, "user-1");
    assert.equal(server.hits, 3);
    const dead = new Verifier({ jwksUrl: "http://127.0.0.1:9/jwks.json", issuer: ISSUER, audience: AUDIENCE });
    assert.equal((await caught(() => dead.verify(good, { now: NOW }))).code, "ERR_JWKS_FETCH");
  } finally {
    await server.close();
  }
});

test("strings cross into WebAssembly intact: ASCII and not, short and long, both Node builds (scripts/bundle.mjs's encodeInto path)", async () => {
  const { Verifier: EdgeVerifier } = await import("tessera-auth/verify");
  const texts = ["é", "x".repeat(40), "é" + "x".repeat(40), "x".repeat(40) + "é", "x".repeat(20) + "\u{1F600}" + "x".repeat(20), "x".repeat(40) + "\u{1F600}"];
  for (const text of texts) {
    const issuer = `${ISSUER}/${text}`;
    const token = new Signer({ privateJwk, issuer, audience: AUDIENCE }).signSync({ sub: `user-${text}` }, { now: NOW, expiresIn: 300 });
    for (const Kind of [Verifier, EdgeVerifier]) {
      const claims = new Kind({ jwks, issuer, audience: AUDIENCE }).verifySync(token, { now: NOW });
      assert.equal(claims.iss, issuer, `${Kind === Verifier ? "root" : "verify"}: ${text}`);
      assert.equal(claims.sub, `user-${text}`);
      const other = new Kind({ jwks, issuer: `${issuer}é`, audience: AUDIENCE });
      assert.equal((await caught(() => other.verifySync(token, { now: NOW }))).code, "ERR_BAD_ISSUER");
    }
  }
});
