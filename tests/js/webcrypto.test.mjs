// The Authority and Signer.sign (async) sign with the runtime's WebCrypto when there is one (faster than
// signing in wasm, notably in workerd), checks the first such signature against its public key,
// and signs in Rust whenever WebCrypto is missing, fails or signs wrongly. (Own process: this file
// replaces crypto.subtle.sign to watch and to break it.)
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { Authority, Signer, generateKeyPair } from "tessera";
import { CSRF, cookieOf } from "./authority-shared.mjs";

const subtle = globalThis.crypto.subtle;
const realSign = subtle.sign.bind(subtle);
let mode = "real";
let calls = 0;
subtle.sign = async (algorithm, key, data) => {
  calls += 1;
  if (mode === "reject") throw new Error("no");
  const signature = await realSign(algorithm, key, data);
  if (mode === "wrong") new Uint8Array(signature)[10] ^= 1;
  if (mode === "short") return signature.slice(0, 63);
  return signature;
};

function authority() {
  const { privateJwk } = generateKeyPair({ kid: "wc" });
  const a = new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [CSRF.origin] });
  const post = (path, cookie) => new Request(`https://auth.example${path}`, { method: "POST", headers: { ...CSRF, ...(cookie ? { cookie } : {}) } });
  return { a, post, jwks: jose.createLocalJWKSet(a.jwks()) };
}

async function tokens(n) {
  const { a, post, jwks } = authority();
  let response = await a.login(post("/auth/login"), { sub: "alice", scope: "read" });
  for (let i = 0; i < n; i++) {
    assert.equal(response.status, 200);
    const { access_token } = await response.json();
    const { payload } = await jose.jwtVerify(access_token, jwks, { issuer: "https://auth.example", audience: "api", typ: "at+jwt" });
    assert.equal(payload.sub, "alice");
    assert.equal((await a.verify(access_token)).sub, "alice");
    response = await a.refresh(post("/auth/refresh", cookieOf(response)));
  }
}

test("access tokens are signed by crypto.subtle and verify with jose and the Authority", async () => {
  mode = "real";
  calls = 0;
  await tokens(5);
  assert.equal(calls, 6, "every token was signed by WebCrypto");
});

for (const [broken, label] of [["reject", "rejects"], ["short", "returns 63 bytes"], ["wrong", "signs wrongly"]]) {
  test(`when crypto.subtle.sign ${label}, tokens are signed in Rust and still verify`, async () => {
    mode = broken;
    calls = 0;
    await tokens(4);
    assert.equal(calls, 1, "a failed or wrong WebCrypto signature disables it for good");
    mode = "real";
  });
}

test("Signer: sign (async) uses crypto.subtle, signSync signs in Rust; both verify; a broken subtle falls back", async () => {
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "s" });
  const key = await jose.importJWK(publicJwk, "ES256");
  const check = async (token) => (await jose.jwtVerify(token, key, { issuer: "https://i", audience: "a" })).payload.sub;
  for (const broken of ["real", "reject", "wrong"]) {
    mode = broken;
    calls = 0;
    const signer = new Signer({ privateJwk, issuer: "https://i", audience: "a" });
    for (let i = 0; i < 3; i++) assert.equal(await check(await signer.sign({ sub: `u${i}` })), `u${i}`);
    assert.equal(calls, broken === "real" ? 3 : 1, broken);
    calls = 0;
    assert.equal(await check(signer.signSync({ sub: "sync" })), "sync");
    assert.equal(calls, 0, "signSync never awaits WebCrypto");
  }
  mode = "real";
});
