// The Authority in Node: MemoryStore (default), and a custom async store (the store
// contract from JS, including failures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Authority, MemoryStore, generateKeyPair } from "tessera-auth";
import { nodeApp as app, ORIGIN, CSRF } from "./authority-shared.mjs";

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";

/** A custom store: a Map with async methods, honouring the contract, that can be made to fail. */
class MapStore {
  map = new Map();
  failing = false;
  async get(key) {
    if (this.failing) throw new Error("store down");
    const entry = this.map.get(key);
    return entry && entry.expiresAt > Date.now() ? structuredClone(entry.record) : null;
  }
  async put(key, record, expected, ttl) {
    if (this.failing) throw new Error("store down");
    await new Promise((r) => setImmediate(r)); // let concurrent refreshes interleave
    const entry = await this.get(key);
    if (expected === null ? entry !== null : entry?.generation !== expected) return false;
    this.map.set(key, { record: structuredClone(record), expiresAt: Date.now() + ttl * 1000 });
    return true;
  }
}

for (const [name, makeStore] of [["MemoryStore (default)", () => undefined], ["custom store", () => new MapStore()], ["MemoryStore (explicit)", () => new MemoryStore()]]) {
  test(`${name}: login → refresh → refresh, tokens accepted by jose`, () => app(makeStore()).s.loginRefreshRefresh());
  test(`${name}: reuse outside the grace window revokes the family`, () => app(makeStore(), 0).s.reuseRevokesFamily(() => new Promise((r) => setTimeout(r, 1100))));
  test(`${name}: a retry inside the grace window keeps the session`, () => app(makeStore()).s.retryInsideGrace());
  test(`${name}: 100 concurrent refreshes of one cookie leave one line of succession`, () => app(makeStore()).s.concurrentRefreshes(100));
  test(`${name}: CSRF and Origin rejections change nothing`, () => app(makeStore()).s.csrfRejections());
  test(`${name}: logout and revokeSubject`, () => app(makeStore()).s.logoutAndRevokeSubject());
  if (name !== "MemoryStore (default)") {
    test(`${name}: log out everywhere holds after the store forgets the subject record`, () => app(makeStore()).s.revocationOutlivesItsRecord());
  }
  test(`${name}: absolute and idle expiry with injected time`, () => app(makeStore()).s.expiry());
}

test("authority.verify returns a new claims object per call (the verified-token cache is not shared state)", async () => {
  const { authority, call } = app();
  const login = await call("/auth/login", { headers: CSRF, body: JSON.stringify({ username: "u1" }) });
  const { access_token } = await login.json();
  const first = await authority.verify(access_token, { requiredScopes: ["read"] });
  first.sub = "admin";
  first.aud = "elsewhere";
  const second = await authority.verify(access_token, { requiredScopes: ["read"] });
  assert.notEqual(second, first);
  assert.equal(second.sub, "u1");
  assert.equal(second.aud, AUDIENCE);
  assert.equal(Object.getPrototypeOf(second), Object.prototype);
});

test("custom store failing mid-refresh: 503, the cookie kept, nothing half done", () => app(new MapStore()).s.storeFailure());

test("option clock must be a function returning unix seconds", async () => {
  const { privateJwk } = generateKeyPair();
  const base = { issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN] };
  assert.throws(() => new Authority({ ...base, clock: 5 }), { code: "ERR_INVALID_OPTIONS", claim: "clock" });
  const broken = new Authority({ ...base, clock: () => "soon" });
  const req = new Request("https://auth.example/auth/refresh", { method: "POST" });
  await assert.rejects(broken.refresh(req), { code: "ERR_INVALID_OPTIONS", claim: "clock" });
});

test("Authority options: a custom store needs refreshSecret; unknown options are named", () => {
  const { privateJwk } = generateKeyPair();
  const base = { issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN] };
  assert.throws(() => new Authority({ ...base, store: new MapStore() }), { code: "ERR_INVALID_OPTIONS", claim: "refreshSecret" });
  assert.throws(() => new Authority({ ...base, store: {} }), { code: "ERR_INVALID_OPTIONS", claim: "store" });
  assert.throws(() => new Authority({ ...base, cookies: {} }), (e) => e.code === "ERR_INVALID_OPTIONS" && e.message.includes("cookies"));
  assert.throws(() => new Authority({ ...base, allowedOrigins: [] }), { code: "ERR_INVALID_OPTIONS", claim: "allowedOrigins" });
  const a = new Authority(base);
  assert.deepEqual(Object.keys(a.jwks()), ["keys"]);
  assert.equal(a.jwks().keys[0].d, undefined);
});

// Issue 12, finding 4: one account used to fill the default store (100,000 records) so that
// every other user's login got 503 for days. Now a subject holds at most maxSessionsPerSubject
// (default 50) live families, the oldest is revoked first, and revoked families give their slot
// back after a second.
test("one subject's 100,000 logins leave room for everyone else in the default MemoryStore", async () => {
  const { privateJwk } = generateKeyPair();
  let now = 1_800_000_000;
  const authority = new Authority({
    issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN], clock: () => now,
  });
  const request = (path, headers = {}) => new Request(`${ISSUER}/auth/${path}`, { method: "POST", headers: { ...CSRF, ...headers } });
  const login = async (sub) => {
    const response = await authority.login(request("login"), { sub });
    assert.equal(response.status, 200, `login of ${sub}`);
    return response;
  };
  const cookieOf = (response) => response.headers.get("set-cookie").split(";")[0];
  const refresh = (cookie) => authority.refresh(request("refresh", { cookie }));

  const mallory = [];
  for (let i = 0; i < 100_000; i++) {
    if (i % 100 === 99) now += 1; // 100 logins a second: the run spans under 17 minutes
    mallory.push(cookieOf(await login("mallory")));
  }
  // Everyone else still gets in, and their sessions work.
  for (let i = 0; i < 200; i++) {
    assert.equal((await refresh(cookieOf(await login(`user-${i}`)))).status, 200);
  }
  // Mallory keeps her 50 newest sessions; the older ones were revoked along the way.
  assert.equal((await refresh(mallory.at(-1))).status, 200);
  assert.equal((await refresh(mallory.at(-50))).status, 200);
  for (const old of [mallory[0], mallory[99_000], mallory.at(-51)]) assert.equal((await refresh(old)).status, 401);
});

test("maxSessionsPerSubject: the default keeps 50 live sessions per subject, the oldest goes first", async () => {
  const { privateJwk } = generateKeyPair();
  const base = { issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN] };
  const request = () => new Request(`${ISSUER}/auth/login`, { method: "POST", headers: CSRF });
  for (const [options, limit] of [[{}, 50], [{ maxSessionsPerSubject: 2 }, 2]]) {
    const authority = new Authority({ ...base, ...options });
    const tokens = [];
    for (let i = 0; i <= limit; i++) tokens.push((await (await authority.login(request(), { sub: "ann" })).json()).access_token);
    await assert.rejects(authority.verify(tokens[0]), { code: "ERR_REVOKED" }, `limit ${limit}`);
    for (const token of tokens.slice(1)) assert.equal((await authority.verify(token)).sub, "ann");
  }
  for (const bad of [0, -1, 1.5, "3", 1e9]) {
    assert.throws(() => new Authority({ ...base, maxSessionsPerSubject: bad }), { code: "ERR_INVALID_OPTIONS", claim: "maxSessionsPerSubject" });
  }
});

// Issue 12, finding 9: the 16 KiB limit on auth bodies held only when Content-Length was sent; a
// chunked 1 MiB body reached refresh and got 200. (Reading it also used to hang: the cancelled
// read of the cloned body waited for the caller's copy to be cancelled too.)
test("a streamed 1 MiB body without Content-Length is 400 on every auth endpoint, changes nothing, and stays readable", async () => {
  const { privateJwk } = generateKeyPair();
  const authority = new Authority({ issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [ORIGIN] });
  const mebibyte = () => new ReadableStream({
    start(controller) {
      for (let i = 0; i < 16; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      controller.close();
    },
  });
  const request = (path, cookie, body = mebibyte()) =>
    new Request(`${ISSUER}/auth/${path}`, { method: "POST", headers: { ...CSRF, ...(cookie ? { cookie } : {}) }, body, duplex: "half" });
  const login = await authority.login(new Request(`${ISSUER}/auth/login`, { method: "POST", headers: CSRF }), { sub: "ann" });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  for (const [path, call] of [
    ["login", (r) => authority.login(r, { sub: "bob" })],
    ["refresh", (r) => authority.refresh(r)],
    ["logout", (r) => authority.logout(r)],
    ["refresh", (r) => authority.handle(r)],
  ]) {
    const streamed = request(path, cookie);
    assert.equal(streamed.headers.get("content-length"), null);
    const response = await call(streamed);
    assert.equal(response.status, 400, path);
    assert.equal((await response.json()).code, "ERR_MALFORMED");
    assert.equal(response.headers.get("set-cookie"), null, `${path}: no cookie set or cleared`);
    assert.equal((await streamed.arrayBuffer()).byteLength, 1 << 20, "the caller can still read the body");
  }
  // The limit is the body's size, not its framing: 16 KiB streamed is fine, one byte more is not.
  const sized = (n) => new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(n)), c.close()) });
  assert.equal((await authority.refresh(request("refresh", cookie, sized(16 * 1024)))).status, 200);
  const next = (await authority.refresh(request("refresh", cookie, sized(16 * 1024 + 1)))).status;
  assert.equal(next, 400);
});
