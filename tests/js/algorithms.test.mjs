// The algorithms of the verify and authority builds (RS256…PS512, ES256, ES384, EdDSA, Ed25519)
// against jose: jose signs, Tessera verifies (sync and async), tampered tokens are refused with the
// right code, and on one batch of tokens Tessera's verdicts equal jose's. Then key sets as identity
// providers publish them, the RSA key rules, and the same tokens inside workerd.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as jose from "jose";
import * as root from "tessera-auth";
import * as verifyEntry from "tessera-auth/verify";
import { ISSUER, AUDIENCE, b64url, caught, workerd } from "./helpers.mjs";

const ALGORITHMS = ["ES256", "ES384", "EdDSA", "Ed25519", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const now = Math.floor(Date.now() / 1000);
/** Both builds that carry a Verifier: the verify build and the package root (authority build). */
const BUILDS = { verify: verifyEntry.Verifier, authority: root.Verifier };

/** A key pair made by jose for `alg`, its public JWK with `kid` and `alg`. */
async function keyFor(alg, extra = {}) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: `k-${alg}`, alg, use: "sig", ...extra };
  return { privateKey, jwk };
}

function sign(privateKey, alg, kid, claims = {}, header = {}) {
  return new jose.SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg, kid, typ: "JWT", ...header })
    .sign(privateKey);
}

const flip = (segment, i) => segment.slice(0, i) + (segment[i] === "A" ? "B" : "A") + segment.slice(i + 1);

/** A token's variants: valid, signature flipped, payload changed, alg relabelled, expired, … */
async function batch(privateKey, alg, kid) {
  const token = await sign(privateKey, alg, kid);
  const [h, p, s] = token.split(".");
  const other = alg.startsWith("RS") ? `PS${alg.slice(2)}` : alg.startsWith("PS") ? `RS${alg.slice(2)}` : alg === "EdDSA" ? "Ed25519" : "ES512";
  return {
    valid: token,
    signatureFlipped: `${h}.${p}.${flip(s, 7)}`,
    signatureTruncated: `${h}.${p}.${s.slice(0, -4)}`,
    payloadChanged: `${h}.${b64url({ sub: "mallory", iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}.${s}`,
    algRelabelled: `${b64url({ alg: other, kid, typ: "JWT" })}.${p}.${s}`,
    algNone: `${b64url({ alg: "none", kid })}.${p}.${s}`,
    algHs256: `${b64url({ alg: "HS256", kid })}.${p}.${s}`,
    expired: await sign(privateKey, alg, kid, { exp: now - 10 }),
    wrongAudience: await sign(privateKey, alg, kid, { aud: "https://other.example" }),
    unknownKid: await sign(privateKey, alg, "rotated-away"),
  };
}

async function joseVerdict(token, jwks, alg) {
  try {
    await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], currentDate: new Date(now * 1000) });
    return "ok";
  } catch {
    return "refused";
  }
}

const keys = {};
before(async () => {
  for (const alg of ALGORITHMS) keys[alg] = await keyFor(alg);
});

for (const [build, Verifier] of Object.entries(BUILDS)) {
  test(`${build} build: jose-signed tokens of every algorithm verify, sync and async; tampered ones are refused with the right code`, async () => {
    for (const alg of ALGORITHMS) {
      const { privateKey, jwk } = keys[alg];
      const verifier = new Verifier({ jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
      const tokens = await batch(privateKey, alg, jwk.kid);
      assert.equal(verifier.verifySync(tokens.valid).sub, "alice", alg);
      assert.equal((await verifier.verify(tokens.valid)).sub, "alice", alg);
      const expected = {
        signatureFlipped: "ERR_BAD_SIGNATURE",
        signatureTruncated: "ERR_BAD_SIGNATURE",
        payloadChanged: "ERR_BAD_SIGNATURE",
        algRelabelled: "ERR_ALG_NOT_ALLOWED",
        algNone: "ERR_ALG_NOT_ALLOWED",
        algHs256: "ERR_ALG_NOT_ALLOWED",
        expired: "ERR_EXPIRED",
        wrongAudience: "ERR_BAD_AUDIENCE",
        unknownKid: "ERR_NO_MATCHING_KEY",
      };
      for (const [name, code] of Object.entries(expected)) {
        assert.equal((await caught(() => verifier.verify(tokens[name]))).code, code, `${alg} ${name}`);
        assert.equal((await caught(() => verifier.verifySync(tokens[name]))).code, code, `${alg} ${name} (sync)`);
      }
      verifier.free();
    }
  });
}

test("Tessera's verdicts equal jose's on the same tokens, for every algorithm (all algorithms allowed, keys bound by alg)", async () => {
  const jwks = { keys: ALGORITHMS.map((alg) => keys[alg].jwk) };
  const verifier = new verifyEntry.Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS });
  let compared = 0;
  for (const alg of ALGORITHMS) {
    const tokens = await batch(keys[alg].privateKey, alg, keys[alg].jwk.kid);
    for (const [name, token] of Object.entries(tokens)) {
      const ours = await verifier.verify(token, { now }).then(() => "ok", () => "refused");
      assert.equal(ours, await joseVerdict(token, jwks, alg), `${alg} ${name}`);
      assert.equal(ours, name === "valid" ? "ok" : "refused", `${alg} ${name}`);
      compared += 1;
    }
  }
  assert.equal(compared, ALGORITHMS.length * 10);
});

test("ES384 past the verify build's fixed-base tables (built from a key's third use, in use after about 50 calls): both builds accept every token and refuse every tampered one", async () => {
  // One key, as the benchmark's; a fresh Verifier per token finds the key's tables again by its point.
  const { privateKey, jwk } = await keyFor("ES384", { kid: "es384-tables" });
  for (let i = 0; i < 120; i++) {
    const token = await sign(privateKey, "ES384", jwk.kid, { n: i });
    const [h, p, s] = token.split(".");
    const sig = Buffer.from(s, "base64url");
    sig[(i * 7) % 96] ^= 1 << (i % 8);
    for (const [build, Verifier] of Object.entries(BUILDS)) {
      const verifier = new Verifier({ jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES384"] });
      assert.equal(verifier.verifySync(token).n, i, `${build} token ${i}`);
      assert.equal((await caught(() => verifier.verifySync(`${h}.${p}.${sig.toString("base64url")}`))).code, "ERR_BAD_SIGNATURE", `${build} tampered ${i}`);
    }
  }
});

test("the default allow-list is ES256 alone; a listed algorithm verifies only with the key bound to it; an RSA key without alg needs algorithms to choose RS or PS", async () => {
  const { jwk: rsa, privateKey: rsaKey } = keys.RS256;
  const { alg: _alg, ...rsaNoAlg } = rsa;
  const ps = await sign(keys.PS256.privateKey, "PS256", "k-PS256");
  const rs = await sign(rsaKey, "RS256", rsa.kid);
  for (const alg of ["ES256", "ES384", "EdDSA", "RS256"]) {
    const token = await sign(keys[alg].privateKey, alg, keys[alg].jwk.kid);
    const byDefault = new verifyEntry.Verifier({ jwks: { keys: [keys[alg].jwk] }, issuer: ISSUER, audience: AUDIENCE });
    if (alg === "ES256") assert.equal(byDefault.verifySync(token).sub, "alice", alg);
    else assert.equal((await caught(() => byDefault.verifySync(token))).code, "ERR_ALG_NOT_ALLOWED", `${alg} without algorithms`);
    const listed = new verifyEntry.Verifier({ jwks: { keys: [keys[alg].jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
    assert.equal(listed.verifySync(token).sub, "alice", alg);
  }
  // The key says RS256: a PS256 token under its kid is refused, not tried with PSS.
  const relabelled = `${b64url({ alg: "PS256", kid: rsa.kid })}.${rs.split(".")[1]}.${ps.split(".")[2]}`;
  const bound = new verifyEntry.Verifier({ jwks: { keys: [rsa] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS });
  assert.equal((await caught(() => bound.verifySync(relabelled))).code, "ERR_NO_MATCHING_KEY");
  // Without alg, with both RSA families allowed, the RSA key verifies nothing; the error names the option.
  const unbound = new verifyEntry.Verifier({ jwks: { keys: [rsaNoAlg] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS });
  const error = await caught(() => unbound.verifySync(rs));
  assert.deepEqual([error.code, error.claim], ["ERR_ALG_NOT_ALLOWED", "algorithms"]);
  // algorithms naming one RSA family chooses it; both families listed choose nothing.
  const chosen = new verifyEntry.Verifier({ jwks: { keys: [rsaNoAlg] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES256", "RS256"] });
  assert.equal(chosen.verifySync(rs).sub, "alice");
  const both = new verifyEntry.Verifier({ jwks: { keys: [rsaNoAlg] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["RS256", "PS256"] });
  assert.equal((await caught(() => both.verifySync(rs))).code, "ERR_ALG_NOT_ALLOWED");
  // An Ed25519 key with alg EdDSA does not verify a token labelled Ed25519 (one key, one algorithm).
  const ed = keys.EdDSA;
  const asEd25519 = await sign(ed.privateKey, "Ed25519", ed.jwk.kid);
  const edVerifier = new verifyEntry.Verifier({ jwks: { keys: [ed.jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS });
  assert.equal((await caught(() => edVerifier.verifySync(asEd25519))).code, "ERR_NO_MATCHING_KEY");
  // Unknown names in algorithms are an options error naming the option.
  for (const algorithms of [["HS256"], ["none"], ["ES512"], ["rs256"]]) {
    const bad = await caught(() => new verifyEntry.Verifier({ jwks: { keys: [rsa] }, algorithms }));
    assert.deepEqual([bad.code, bad.claim], ["ERR_INVALID_OPTIONS", "algorithms"], algorithms[0]);
  }
});

test("RSA moduli under 2048 bits are ERR_INVALID_KEY; 2048 to 8192 bits verify", async () => {
  for (const bits of [1024, 2040]) {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "small", alg: "RS256" };
    const error = await caught(() => new verifyEntry.Verifier({ jwks: { keys: [jwk] } }));
    assert.equal(error.code, "ERR_INVALID_KEY", `${bits} bits`);
  }
  for (const bits of [2048, 3072, 4096]) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: `r${bits}`, alg: "RS512" };
    const verifier = new verifyEntry.Verifier({ jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["RS512"] });
    assert.equal(verifier.verifySync(await sign(privateKey, "RS512", jwk.kid)).sub, "alice", `${bits} bits`);
  }
});

test("key sets as providers publish them: x5c/x5t beside n/e, enc keys and unknown kty skipped, several keys, rotation by kid", async () => {
  const { privateKey, jwk } = keys.RS256;
  // The certificate members are carried, not used (a chain that is not even a certificate).
  const withCertificate = { ...jwk, x5c: [Buffer.from("not a certificate").toString("base64")], x5t: "AAAA", "x5t#S256": "BBBB" };
  const encryption = { ...keys.RS384.jwk, kid: "enc-1", use: "enc", alg: "RSA-OAEP-256" };
  const unknownKind = { kty: "AKP", alg: "ML-DSA-44", kid: "pq-1", pub: "AAAA" };
  const x25519 = { kty: "OKP", crv: "X25519", kid: "x-1", x: "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo" };
  const jwks = { keys: [encryption, unknownKind, x25519, withCertificate, keys.ES256.jwk, keys.EdDSA.jwk] };
  const verifier = new verifyEntry.Verifier({ jwks, issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS });
  assert.equal(verifier.verifySync(await sign(privateKey, "RS256", jwk.kid)).sub, "alice");
  assert.equal(verifier.verifySync(await sign(keys.EdDSA.privateKey, "EdDSA", keys.EdDSA.jwk.kid)).sub, "alice");
  // jose accepts the same set.
  assert.equal((await jose.jwtVerify(await sign(privateKey, "RS256", jwk.kid), jose.createLocalJWKSet(jwks))).payload.sub, "alice");
  // The enc key cannot verify, whatever the token says.
  const underEnc = await sign(keys.RS384.privateKey, "RS384", "enc-1");
  assert.equal((await caught(() => verifier.verifySync(underEnc))).code, "ERR_NO_MATCHING_KEY");

  // Rotation by kid through a remote set: the new key's tokens are refused by the cached set until
  // a refetch (once per cooldown) brings the new key; the old key's tokens then stop.
  const { createServer } = await import("node:http");
  let published = { keys: [withCertificate] };
  const server = createServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(published)));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const remote = new verifyEntry.Verifier({ jwksUrl: `http://127.0.0.1:${server.address().port}/jwks`, issuer: ISSUER, audience: AUDIENCE, cooldownDuration: 0, algorithms: ["RS256"] });
    const old = await sign(privateKey, "RS256", jwk.kid);
    assert.equal((await remote.verify(old)).sub, "alice");
    const next = await keyFor("RS256", { kid: "2026-12" });
    published = { keys: [next.jwk] };
    const fresh = await sign(next.privateKey, "RS256", "2026-12");
    assert.equal((await caught(() => remote.verifySync(fresh))).code, "ERR_NO_MATCHING_KEY");
    assert.equal((await remote.verify(fresh)).sub, "alice");
    assert.equal((await caught(() => remote.verify(old))).code, "ERR_NO_MATCHING_KEY");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

let mf;
before(async () => {
  mf = await workerd(new URL("./worker/algorithms-worker.js", import.meta.url));
  await mf.ready;
});
after(async () => {
  await mf?.dispose();
});

test("workerd: the verify build's verdicts for every algorithm equal Node's", async () => {
  const jwks = { keys: ALGORITHMS.map((alg) => keys[alg].jwk) };
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS };
  const node = new verifyEntry.Verifier({ jwks, ...options });
  for (const alg of ALGORITHMS) {
    const tokens = Object.values(await batch(keys[alg].privateKey, alg, keys[alg].jwk.kid));
    const answer = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify({ jwks, options, tokens }) });
    const { results, calls } = await answer.json();
    assert.equal(results.length, tokens.length);
    // Async verify checks every algorithm but ES256 with WebCrypto there (ES256: Rust's tables).
    if (alg === "ES256") assert.equal(calls.verify, 0, alg);
    else assert.ok(calls.verify >= 3 && calls.importKey >= 1, `${alg}: WebCrypto checked the signatures (${JSON.stringify(calls)})`);
    for (const [i, token] of tokens.entries()) {
      let expected;
      try {
        expected = { ok: true, sub: node.verifySync(token).sub };
      } catch (error) {
        expected = JSON.parse(JSON.stringify({ ok: false, code: error.code, claim: error.claim }));
      }
      assert.deepEqual(results[i], { sync: expected, async: expected }, `${alg} #${i}`);
    }
    assert.deepEqual(results[0].sync, { ok: true, sub: "alice" }, alg);
  }
});

test("workerd: WebCrypto that rejects leaves the check to Rust (same verdicts); a 'false' from it is ERR_BAD_SIGNATURE", async () => {
  const jwks = { keys: ALGORITHMS.map((alg) => keys[alg].jwk) };
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ALGORITHMS };
  for (const alg of ["RS256", "PS384", "ES384", "EdDSA"]) {
    for (const subtle of ["import-reject", "verify-reject"]) {
      // A key the worker has not imported before (it keeps imported keys across requests).
      const fresh = await keyFor(alg, { kid: `${subtle}-${alg}` });
      const jwks = { keys: [fresh.jwk] };
      const tokens = await batch(fresh.privateKey, alg, fresh.jwk.kid);
      const list = [tokens.valid, tokens.signatureFlipped, tokens.payloadChanged, tokens.expired];
      const answer = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify({ jwks, options, tokens: list, subtle }) });
      const { results, calls } = await answer.json();
      assert.ok(calls.importKey >= 1, `${alg} ${subtle}`);
      assert.deepEqual(results[0].async, { ok: true, sub: "alice" }, `${alg} ${subtle}`);
      assert.equal(results[1].async.code, "ERR_BAD_SIGNATURE", `${alg} ${subtle}`);
      assert.equal(results[2].async.code, "ERR_BAD_SIGNATURE", `${alg} ${subtle}`);
      assert.equal(results[3].async.code, "ERR_EXPIRED", `${alg} ${subtle}`);
    }
    const tokens = await batch(keys[alg].privateKey, alg, keys[alg].jwk.kid);
    const answer = await mf.dispatchFetch("http://localhost/", { method: "POST", body: JSON.stringify({ jwks, options, tokens: [tokens.valid], subtle: "lie" }) });
    const { results } = await answer.json();
    assert.deepEqual(results[0], { sync: { ok: true, sub: "alice" }, async: { ok: false, code: "ERR_BAD_SIGNATURE" } }, alg);
  }
});
