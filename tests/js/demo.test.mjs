// The demo worker (www/) in workerd: login, protected API, JWK Set, and refusals.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Verifier } from "tessera";
import { demoWorker } from "../../www/serve.mjs";

let mf, base;
before(async () => {
  mf = demoWorker(0);
  base = (await mf.ready).href;
});
after(() => mf?.dispose());

test("demo: login issues an access token that the API and the JWK Set accept", async () => {
  const page = await fetch(base);
  assert.match(await page.text(), /data-testid="login-submit"/);
  assert.equal((await fetch(new URL("/auth/login", base), { method: "POST", body: '{"username":"demo","password":"nope"}' })).status, 401);
  const res = await fetch(new URL("/auth/login", base), { method: "POST", body: '{"username":"demo","password":"demo"}' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const { access_token, token_type, expires_in } = await res.json();
  assert.equal(token_type, "Bearer");
  assert.equal(expires_in, 30);
  const api = await fetch(new URL("/api/hello", base), { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(api.status, 200);
  assert.equal((await api.json()).claims.sub, "demo");
  // The published keys verify the token outside the worker too.
  const jwks = await (await fetch(new URL("/.well-known/jwks.json", base))).json();
  const verifier = new Verifier({ jwks, issuer: "http://127.0.0.1:8787", audience: "tessera-demo-api" });
  assert.equal(verifier.verifySync(access_token).client_id, "tessera-demo");
});

test("demo: the API answers 401 invalid_token without or with a bad token", async () => {
  for (const headers of [{}, { authorization: "Bearer abc.def.ghi" }]) {
    const res = await fetch(new URL("/api/hello", base), { headers });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  }
});
