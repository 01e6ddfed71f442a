// OpenID Connect Discovery and RFC 8414 metadata with a real local HTTP server: the verifier finds
// the key set through `{issuer}/.well-known/openid-configuration` (or the RFC 8414 document), the
// metadata's issuer must be the configured one exactly, and both are cached; in Node and workerd.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as jose from "jose";
import { Verifier } from "tessera-auth/verify";
import { AUDIENCE, caught, workerd } from "./helpers.mjs";

let server, origin, key, jwk;
/** What the server answers, per path; each request is counted by path. */
const routes = new Map();
const hits = [];

before(async () => {
  const pair = await jose.generateKeyPair("RS256", { extractable: true });
  key = pair.privateKey;
  jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: "d-1", alg: "RS256", use: "sig" };
  server = createServer(async (req, res) => {
    hits.push(req.url);
    const route = routes.get(req.url);
    if (route?.delayMs) await new Promise((r) => setTimeout(r, route.delayMs));
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(route.body));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

/** Serves the OpenID metadata of `issuer` (at `{issuer}/.well-known/openid-configuration`) and its key set. */
function publish(issuer, { metadataIssuer = issuer, jwksUri = `${issuer}/keys`, document = "openid", delayMs = 0 } = {}) {
  routes.clear();
  hits.length = 0;
  const path = new URL(issuer).pathname.replace(/\/$/, "");
  const metadataPath = document === "openid" ? `${path}/.well-known/openid-configuration` : `/.well-known/oauth-authorization-server${path}`;
  routes.set(metadataPath, { body: { issuer: metadataIssuer, jwks_uri: jwksUri, response_types_supported: ["code"] }, delayMs });
  routes.set(new URL(jwksUri).pathname, { body: { keys: [jwk] }, delayMs });
  return metadataPath;
}

const sign = (issuer, claims = {}) =>
  new jose.SignJWT({ sub: "dora", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "d-1" })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);

test("the OpenID metadata names the key set; both are fetched once and cached; the state exports and imports", async () => {
  const issuer = `${origin}/tenant-1`;
  const metadataPath = publish(issuer);
  const verifier = new Verifier({ issuer, discovery: true, algorithms: ["RS256"], audience: AUDIENCE });
  const token = await sign(issuer);
  assert.equal((await verifier.verify(token)).sub, "dora");
  assert.deepEqual(hits, [metadataPath, "/tenant-1/keys"]);
  assert.equal((await verifier.verify(await sign(issuer, { sub: "again" }))).sub, "again");
  assert.equal(verifier.verifySync(token).sub, "dora");
  assert.equal(hits.length, 2, "cached: no more fetches");
  // The state carries the issuer and the discovered jwks_uri; another verifier starts warm from it.
  const state = verifier.exportState();
  assert.deepEqual([state.issuer, state.url], [issuer, `${issuer}/keys`]);
  const warm = new Verifier({ issuer, discovery: true, algorithms: ["RS256"], audience: AUDIENCE });
  warm.importState(state);
  assert.equal(warm.verifySync(token).sub, "dora");
  assert.equal(hits.length, 2);
  // A state for another issuer is refused.
  const other = new Verifier({ issuer: `${origin}/tenant-2`, discovery: true, algorithms: ["RS256"], audience: AUDIENCE });
  assert.equal((await caught(() => other.importState(state))).code, "ERR_INVALID_OPTIONS");
  // A token from another issuer is still refused by the claim rules.
  const foreign = await sign(`${origin}/tenant-2`);
  assert.equal((await caught(() => verifier.verify(foreign))).code, "ERR_BAD_ISSUER");
});

test("RFC 8414: when the OpenID document is missing, the authorization server metadata is used", async () => {
  const issuer = `${origin}/as`;
  const metadataPath = publish(issuer, { document: "oauth" });
  const verifier = new Verifier({ issuer, discovery: true, algorithms: ["RS256"], audience: AUDIENCE });
  assert.equal((await verifier.verify(await sign(issuer))).sub, "dora");
  assert.deepEqual(hits, ["/as/.well-known/openid-configuration", metadataPath, "/as/keys"]);
  assert.equal(metadataPath, "/.well-known/oauth-authorization-server/as");
});

test("metadata naming another issuer, or a plain-http jwks_uri, is ERR_JWKS_FETCH and cools down", async () => {
  for (const [what, options] of [
    ["issuer with a trailing slash", { metadataIssuer: `${origin}/t3/` }],
    ["another issuer", { metadataIssuer: "https://evil.example" }],
    ["jwks_uri over http to a non-loopback host", { jwksUri: "http://keys.example/keys" }],
  ]) {
    const issuer = `${origin}/t3`;
    publish(issuer, options);
    const verifier = new Verifier({ issuer, discovery: true, algorithms: ["RS256"], audience: AUDIENCE, cooldownDuration: 60_000 });
    const token = await sign(issuer);
    assert.equal((await caught(() => verifier.verify(token))).code, "ERR_JWKS_FETCH", what);
    assert.equal(hits.length, 1, `${what}: only the metadata was fetched`);
    assert.equal((await caught(() => verifier.verify(token))).code, "ERR_JWKS_FETCH", what);
    assert.equal(hits.length, 1, `${what}: cooling down`);
  }
  // Both documents missing.
  routes.clear();
  hits.length = 0;
  const verifier = new Verifier({ issuer: `${origin}/none`, discovery: true, algorithms: ["RS256"], audience: AUDIENCE });
  assert.equal((await caught(async () => verifier.verify(await sign(`${origin}/none`)))).code, "ERR_JWKS_FETCH");
  assert.equal(hits.length, 2);
});

test("discovery options: one https issuer, and neither jwks nor jwksUrl", async () => {
  for (const [options, claim] of [
    [{ discovery: true }, "issuer"],
    [{ discovery: true, issuer: ["https://a.example", "https://b.example"] }, "issuer"],
    [{ discovery: true, issuer: "http://auth.example" }, "issuer"],
    [{ discovery: true, issuer: "https://a.example", jwksUrl: "https://a.example/keys" }, "discovery"],
  ]) {
    const error = await caught(() => new Verifier(options));
    assert.deepEqual([error.code, error.claim], ["ERR_INVALID_OPTIONS", claim], JSON.stringify(options));
  }
});

let mf;
after(async () => mf?.dispose());

test("workerd: concurrent requests each discover and fetch for themselves (no promise shared), then the cache serves", async () => {
  const issuer = `${origin}/edge`;
  publish(issuer, { delayMs: 100 });
  mf = await workerd(new URL("./worker/discovery-worker.js", import.meta.url), { bindings: { ISSUER: issuer, AUDIENCE } });
  await mf.ready;
  const token = await sign(issuer);
  const call = async () => (await mf.dispatchFetch("http://localhost/", { headers: { authorization: `Bearer ${token}` } })).json();
  const results = await Promise.all([call(), call()]);
  for (const result of results) assert.equal(result.sub, "dora", JSON.stringify(result));
  assert.equal(hits.filter((path) => path.endsWith("openid-configuration")).length, 2);
  assert.equal(hits.filter((path) => path === "/edge/keys").length, 2);
  const before = hits.length;
  const again = await call();
  assert.deepEqual([again.sub, again.state.issuer, again.state.url], ["dora", issuer, `${issuer}/keys`]);
  assert.equal(hits.length, before);
  // A token from another issuer: refused by the claim rules, no fetch.
  const foreign = await sign(`${origin}/other`);
  const refused = await (await mf.dispatchFetch("http://localhost/", { headers: { authorization: `Bearer ${foreign}` } })).json();
  assert.deepEqual(refused, { ok: false, code: "ERR_BAD_ISSUER" });
});
