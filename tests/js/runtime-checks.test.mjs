// Signatures checked by the runtime's crypto on the asynchronous paths (pkg/src/runtime-verifier.js):
// in Node, node:crypto checks RS*/PS*/ES384/EdDSA tokens and DPoP proofs for async `verify` and
// `verifyRequest`. Each path is shown to run (a counting wrapper around node:crypto's verifier),
// to accept valid tokens and to refuse tampered ones with the right code; a verifier that throws
// leaves the check to Rust (same verdicts), one that says "invalid" is obeyed, and PSS signatures
// with another salt length than the hash's are refused on every path. (workerd's WebCrypto path:
// algorithms.test.mjs.)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import * as jose from "jose";
import { ISSUER, AUDIENCE, keyPair, signer, caught } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const entry = require("tessera-auth/verify");
const { Verifier } = entry;
const now = Math.floor(Date.now() / 1000);
const nodeCrypto = () => crypto;
const ALGORITHMS = ["RS256", "RS384", "PS256", "PS512", "ES384", "EdDSA", "Ed25519"];

/** node:crypto's verifier, counting its imports and checks per algorithm. */
function counting(base = entry.__nodeVerifier(nodeCrypto)) {
  const calls = { importKey: 0, verify: {} };
  return {
    calls,
    importKey(jwk, alg) {
      calls.importKey += 1;
      return base.importKey(jwk, alg);
    },
    verify(alg, key, input, signature) {
      calls.verify[alg] = (calls.verify[alg] ?? 0) + 1;
      return base.verify(alg, key, input, signature);
    },
  };
}

/** Makes Verifiers with `verifier` installed as the native verifier, then puts node:crypto's back. */
function withNative(verifier, make) {
  entry.__setNativeVerifier(verifier);
  try {
    return make();
  } finally {
    entry.__setNativeVerifier(entry.__nodeVerifier(nodeCrypto));
  }
}
after(() => entry.__setNativeVerifier(entry.__nodeVerifier(nodeCrypto)));

const flip = (segment, i) => segment.slice(0, i) + (segment[i] === "A" ? "B" : "A") + segment.slice(i + 1);

async function fixture(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: `k-${alg}`, alg };
  const sign = (claims = {}) =>
    new jose.SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg, kid: jwk.kid })
      .sign(privateKey);
  const valid = await sign();
  const [h, p, s] = valid.split(".");
  const tampered = {
    signatureFlipped: `${h}.${p}.${flip(s, 9)}`,
    signatureTruncated: `${h}.${p}.${s.slice(0, -4)}`,
    payloadChanged: `${h}.${Buffer.from(JSON.stringify({ sub: "mallory", iss: ISSUER, aud: AUDIENCE, exp: now + 300 })).toString("base64url")}.${s}`,
  };
  const options = { jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] };
  return { privateKey, jwk, valid, tampered, options, expired: await sign({ exp: now - 10 }) };
}

const fixtures = {};
for (const alg of ALGORITHMS) fixtures[alg] = await fixture(alg);

test("Node: async verify checks RS*, PS*, ES384 and EdDSA signatures with node:crypto; valid accepted, tampered refused", async () => {
  for (const alg of ALGORITHMS) {
    const { valid, tampered, options, expired } = fixtures[alg];
    const spy = counting();
    const verifier = withNative(spy, () => new Verifier(options));
    assert.equal((await verifier.verify(valid)).sub, "alice", alg);
    assert.equal(spy.calls.verify[alg], 1, `${alg}: node:crypto checked it`);
    // Cached: the second time needs no check.
    assert.equal((await verifier.verify(valid)).sub, "alice", alg);
    assert.equal(spy.calls.verify[alg], 1, alg);
    for (const [name, token] of Object.entries(tampered)) {
      assert.equal((await caught(() => verifier.verify(token))).code, "ERR_BAD_SIGNATURE", `${alg} ${name}`);
    }
    // The claims are checked after the signature, as ever.
    assert.equal((await caught(() => verifier.verify(expired))).code, "ERR_EXPIRED", alg);
    // One key import per key and algorithm, then the cache; verifySync never asks node:crypto.
    assert.equal(spy.calls.importKey, 1, alg);
    const checks = spy.calls.verify[alg];
    assert.equal(withNative(spy, () => new Verifier(options)).verifySync(valid).sub, "alice");
    assert.equal(spy.calls.verify[alg], checks, `${alg}: verifySync stays in Rust`);
  }
});

test("Node: ES256 tokens stay in Rust (its per-key tables are as fast as OpenSSL)", async () => {
  const { privateJwk, publicJwk } = keyPair("es256-rust");
  const token = signer(privateJwk).signSync({ sub: "alice" }, { expiresIn: 60 });
  const spy = counting();
  const verifier = withNative(spy, () => new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE }));
  assert.equal((await verifier.verify(token)).sub, "alice");
  assert.deepEqual(spy.calls.verify, {});
});

test("a native verifier that throws leaves the check to Rust: the same verdicts", async () => {
  for (const failing of ["importKey", "verify"]) {
    const broken = counting();
    broken[failing] = () => {
      throw new Error("no");
    };
    for (const alg of ["RS256", "PS256", "EdDSA"]) {
      const { valid, tampered, options } = fixtures[alg];
      const verifier = withNative(broken, () => new Verifier(options));
      assert.equal((await verifier.verify(valid)).sub, "alice", `${failing} ${alg}`);
      for (const [name, token] of Object.entries(tampered)) {
        assert.equal((await caught(() => verifier.verify(token))).code, "ERR_BAD_SIGNATURE", `${failing} ${alg} ${name}`);
      }
    }
  }
});

test("the runtime's verdict is obeyed: 'invalid' refuses a valid token with ERR_BAD_SIGNATURE", async () => {
  const liar = { importKey: () => ({}), verify: () => false };
  const { valid, options } = fixtures.RS256;
  const verifier = withNative(liar, () => new Verifier(options));
  assert.equal((await caught(() => verifier.verify(valid))).code, "ERR_BAD_SIGNATURE");
  // Anything but a boolean true is not "valid".
  const vague = { importKey: () => ({}), verify: () => 1 };
  assert.equal((await caught(() => withNative(vague, () => new Verifier(options)).verify(valid))).code, "ERR_BAD_SIGNATURE");
});

test("PSS: a signature with another salt length than the hash's is refused on every path (RFC 7518 §3.5)", async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "pss", alg: "PS256" };
  const input = `${Buffer.from(JSON.stringify({ alg: "PS256", kid: "pss" })).toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: now + 300 })).toString("base64url")}`;
  const signed = (saltLength) =>
    `${input}.${crypto.sign("sha256", Buffer.from(input), { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength }).toString("base64url")}`;
  const options = { jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["PS256"] };
  const spy = counting();
  const verifier = withNative(spy, () => new Verifier(options));
  assert.equal((await verifier.verify(signed(32))).sub, "alice");
  for (const salt of [0, 20, 64]) {
    assert.equal((await caught(() => verifier.verify(signed(salt)))).code, "ERR_BAD_SIGNATURE", `salt ${salt}, async`);
    assert.equal((await caught(() => new Verifier(options).verifySync(signed(salt)))).code, "ERR_BAD_SIGNATURE", `salt ${salt}, sync`);
  }
  assert.equal(spy.calls.verify.PS256, 4);
});

test("RSA: a signature one byte short (its leading zero dropped) is refused by the core before any runtime sees it (RFC 8017 §8.2.2 step 1)", async () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "short", alg: "RS256" };
  const header = Buffer.from(JSON.stringify({ alg: "RS256", kid: "short" })).toString("base64url");
  // A signature whose first byte is zero (about one in 256).
  let token;
  for (let i = 0; !token; i++) {
    const input = `${header}.${Buffer.from(JSON.stringify({ sub: "alice", iss: ISSUER, aud: AUDIENCE, exp: now + 300, i })).toString("base64url")}`;
    const signature = crypto.sign("sha256", Buffer.from(input), privateKey);
    if (signature[0] === 0) token = { input, signature };
  }
  const options = { jwks: { keys: [jwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["RS256"] };
  const spy = counting();
  const verifier = withNative(spy, () => new Verifier(options));
  const full = `${token.input}.${token.signature.toString("base64url")}`;
  const short = `${token.input}.${token.signature.subarray(1).toString("base64url")}`;
  assert.equal((await caught(() => verifier.verify(short))).code, "ERR_BAD_SIGNATURE");
  assert.equal(spy.calls.verify.RS256, undefined);
  assert.equal((await verifier.verify(full)).sub, "alice");
  assert.equal(spy.calls.verify.RS256, 1);
});

test("verifyRequest: an RS256 DPoP-bound token and its ES256 proof are both checked by node:crypto", async () => {
  const { privateKey, jwk, options } = fixtures.RS256;
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const clientJwk = { kty, crv, x, y };
  const jkt = await jose.calculateJwkThumbprint(clientJwk);
  const token = await new jose.SignJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, cnf: { jkt } })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
    .sign(privateKey);
  const url = "https://api.example/orders";
  const proof = (jti) =>
    new jose.SignJWT({ jti, htm: "GET", htu: url, iat: now, ath: crypto.createHash("sha256").update(token).digest("base64url") })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: clientJwk })
      .sign(pair.privateKey);
  const request = (dpop) => ({ method: "GET", url, headers: { authorization: `DPoP ${token}`, dpop } });
  const spy = counting();
  const verifier = withNative(spy, () => new Verifier(options));
  assert.equal((await verifier.verifyRequest(request(await proof("j-1")))).sub, "alice");
  assert.deepEqual(spy.calls.verify, { RS256: 1, ES256: 1 });
  // A forged proof signature: refused; a replay: refused.
  const [h, p, s] = (await proof("j-2")).split(".");
  const forged = `${h}.${p}.${flip(s, 12)}`;
  assert.equal((await caught(() => verifier.verifyRequest(request(forged)))).code, "ERR_INVALID_DPOP_PROOF");
  const again = await proof("j-3");
  assert.equal((await verifier.verifyRequest(request(again))).sub, "alice");
  assert.equal((await caught(() => verifier.verifyRequest(request(again)))).code, "ERR_DPOP_REPLAY");
  // A tampered token is refused before its proof is looked at.
  const [th, tp, ts] = token.split(".");
  const tamperedToken = `${th}.${tp}.${flip(ts, 20)}`;
  const tamperedRequest = { method: "GET", url, headers: { authorization: `DPoP ${tamperedToken}`, dpop: await proof("j-4") } };
  assert.equal((await caught(() => verifier.verifyRequest(tamperedRequest))).code, "ERR_BAD_SIGNATURE");
  // Without node:crypto and WebCrypto (the core checks everything): the same verdicts.
  const webcrypto = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });
  let inCore;
  try {
    inCore = withNative(null, () => new Verifier(options));
  } finally {
    Object.defineProperty(globalThis, "crypto", webcrypto);
  }
  assert.equal((await caught(() => inCore.verifyRequest(request(forged)))).code, "ERR_INVALID_DPOP_PROOF");
  assert.equal((await inCore.verifyRequest(request(await proof("j-5")))).sub, "alice");
  assert.equal((await caught(() => inCore.verifyRequest(tamperedRequest))).code, "ERR_BAD_SIGNATURE");
});
