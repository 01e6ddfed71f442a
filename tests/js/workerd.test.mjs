// The built package inside Cloudflare's workerd (through Miniflare): verify, sign and fetch keys.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Verifier } from "tessera-auth";
import { ISSUER, AUDIENCE, keyPair, signer, jwksServer, workerd } from "./helpers.mjs";
import { GLOBAL_JWK } from "./worker/global-key.js";

const { privateJwk, publicJwk } = keyPair("edge");
let mf, keys;

before(async () => {
  keys = await jwksServer({ keys: [publicJwk] });
  keys.delayMs = 100;
  mf = await workerd(new URL("./worker/index.js", import.meta.url), {
    bindings: { JWKS: JSON.stringify({ keys: [publicJwk] }), PRIVATE_JWK: JSON.stringify(privateJwk), ISSUER, AUDIENCE, JWKS_URL: keys.url },
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await keys?.close();
});

async function call(path, body) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, body ? { method: "POST", body: JSON.stringify(body) } : {});
  return res.json();
}

test("a token signed in Node verifies inside workerd, sync and async", async () => {
  const token = signer(privateJwk).signSync({ sub: "node-user", client_id: "c" }, { expiresIn: 60 });
  for (const path of ["/verify", "/verify-sync"]) {
    const result = await call(path, { token });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.value.sub, "node-user");
  }
  const expired = await call("/verify", { token, options: { now: Math.floor(Date.now() / 1000) + 3600 } });
  assert.deepEqual(expired, { ok: false, name: "TesseraError", code: "ERR_EXPIRED", claim: "exp", message: "the token has expired", isError: true });
});

test("no random source at workerd's global scope: generateKeyPair and signSync throw ERR_UNSUPPORTED, the worker still starts", async () => {
  const unsupported = { ok: false, name: "TesseraError", code: "ERR_UNSUPPORTED" };
  assert.deepEqual(await call("/global-scope"), { ...unsupported, sign: unsupported });
  const generated = await call("/generate");
  assert.equal(generated.ok, true, "inside a handler the same call works");
  // The signer whose random pool failed to fill at global scope signs inside a handler, with
  // distinct jti values.
  const signed = await call("/global-signer");
  assert.equal(signed.ok, true, JSON.stringify(signed));
  const { x, y, kty, crv, kid } = GLOBAL_JWK;
  const verifier = new Verifier({ jwks: { keys: [{ kty, crv, kid, x, y }] }, issuer: "https://global.example", audience: "global" });
  const [first, second] = signed.value.map((token) => verifier.verifySync(token));
  assert.deepEqual([first.sub, second.sub], ["first", "second"]);
  assert.notEqual(first.jti, second.jti);
});

test("workerd signs tokens (random jti inside a handler) that Node verifies", async () => {
  const result = await call("/sign");
  assert.equal(result.ok, true, JSON.stringify(result));
  const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE });
  assert.equal(verifier.verifySync(result.value).sub, "worker-user");
  const generated = await call("/generate");
  assert.equal(generated.value.kid, "w");
});

test("remote key sets in workerd: concurrent requests never share a pending fetch", async () => {
  const token = signer(privateJwk).signSync({ sub: "remote-user" }, { expiresIn: 60 });
  // Two requests arrive while the cache is cold: each fetches for itself (a promise from one
  // request's I/O may not be awaited by another in workerd), and both succeed.
  const results = await Promise.all([call("/verify-remote", { token }), call("/verify-remote", { token })]);
  for (const result of results) assert.equal(result.value?.sub, "remote-user", JSON.stringify(result));
  assert.equal(keys.hits, 2);
  // Once cached, no more fetches.
  assert.equal((await call("/verify-remote", { token })).value.sub, "remote-user");
  assert.equal(keys.hits, 2);
});
