// RedisStore on a real redis-server (started here on 127.0.0.1, see redis-server.mjs), with both
// well-kept Node clients: the store contract directly, the same Authority scenarios as MemoryStore
// and the Durable Object store, two Node server processes sharing one Redis, and Redis killed and
// restarted under load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import IORedis from "ioredis";
import { generateKeyPair } from "tessera-auth";
import { RedisStore } from "tessera-auth/redis";
import { nodeApp, CSRF, cookieOf } from "./authority-shared.mjs";
import { redisServer } from "./redis-server.mjs";

let redis;
const clients = [];

before(async () => {
  redis = await redisServer();
});
after(async () => {
  for (const client of clients) await Promise.resolve(client.quit?.() ?? client.close?.()).catch(() => client.disconnect?.());
  await redis?.close();
});

const CLIENTS = {
  async "node-redis"() {
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } });
    client.on("error", () => {});
    await client.connect();
    clients.push(client);
    return { client, ready: () => client.isReady };
  },
  async ioredis() {
    const client = new IORedis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50, lazyConnect: true });
    client.on("error", () => {});
    await client.connect();
    clients.push(client);
    return { client, ready: () => client.status === "ready" };
  },
};

const prefix = () => `t${randomBytes(6).toString("hex")}:`;
const record = (generation, extra = {}) => ({ generation, family: "f", ...extra });

async function until(condition, what, ms = 10000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Kills redis-server (SIGKILL: no shutdown save; the fsynced append-only file keeps the data). */
async function redisDown() {
  await redis.stop("SIGKILL");
}
async function redisUp(ready) {
  await redis.start();
  await until(ready, "the client to reconnect");
}

for (const [name, connect] of Object.entries(CLIENTS)) {
  test(`${name}: the store contract — compare-and-set on generation, TTL, JSON round trip`, async () => {
    const { client } = await connect();
    const keyPrefix = prefix();
    const store = new RedisStore(client, { prefix: keyPrefix });
    const command = (...args) => (name === "ioredis" ? client.call(...args) : client.sendCommand(args.map(String)));
    assert.equal(await store.get("family:a"), null);
    assert.equal(await store.put("family:a", record(1, { sub: "ünïcode ✓" }), 1, 60), false, "no record: an expected generation fails");
    assert.equal(await store.put("family:a", record(1, { sub: "ünïcode ✓" }), null, 60), true);
    assert.deepEqual(await store.get("family:a"), record(1, { sub: "ünïcode ✓" }));
    assert.equal(await store.put("family:a", record(2), null, 60), false, "a live record: null expected fails");
    assert.equal(await store.put("family:a", record(3), 2, 60), false, "wrong generation");
    assert.equal(await store.put("family:a", record(2), 1, 60), true);
    assert.equal((await store.get("family:a")).generation, 2);
    // The TTL Redis holds is the one put was given, in seconds (PEXPIRE takes milliseconds).
    const pttl = Number(await command("PTTL", `${keyPrefix}family:a`));
    assert.ok(pttl > 59_000 && pttl <= 60_000, `PTTL ${pttl}`);
    assert.equal(await store.put("family:a", record(3), 2, 3600), true);
    const longer = Number(await command("PTTL", `${keyPrefix}family:a`));
    assert.ok(longer > 3_599_000 && longer <= 3_600_000, `a rewrite sets the new TTL: PTTL ${longer}`);
    assert.equal(await store.put("family:a", record(2), 3, 60), true);
    // 50 concurrent writers expecting the same generation: exactly one wins.
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.put("family:a", record(3, { writer: i }), 2, 60)));
    assert.equal(results.filter(Boolean).length, 1);
    // TTL: the record disappears, and a new one may then be created with null.
    assert.equal(await store.put("family:short", record(1), null, 1), true);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await store.get("family:short"), null);
    assert.equal(await store.put("family:short", record(1), null, 60), true);
    // The script is reloaded after SCRIPT FLUSH (EVALSHA → NOSCRIPT → EVAL).
    await (name === "ioredis" ? client.call("SCRIPT", "FLUSH") : client.sendCommand(["SCRIPT", "FLUSH"]));
    assert.equal(await store.put("family:a", record(4), 3, 60), true);
  });

  test(`${name}: the Authority scenarios on RedisStore`, async (t) => {
    const { client, ready } = await connect();
    const make = (grace) => {
      const keyPrefix = prefix();
      const command = (...args) => (name === "ioredis" ? client.call(...args) : client.sendCommand(args));
      return nodeApp(new RedisStore(client, { prefix: keyPrefix, timeoutMs: 1000 }), grace, {
        storeDown: (down) => (down ? redisDown() : redisUp(ready)),
        forget: (key) => command("DEL", keyPrefix + key),
      }).s;
    };
    await t.test("login → refresh → refresh, tokens accepted by jose", () => make(10).loginRefreshRefresh());
    await t.test("reuse outside the grace window revokes the family", () => make(0).reuseRevokesFamily(() => new Promise((r) => setTimeout(r, 1100))));
    await t.test("a retry inside the grace window keeps the session", () => make(10).retryInsideGrace());
    await t.test("100 concurrent refreshes of one cookie leave one line of succession", () => make(10).concurrentRefreshes(100));
    await t.test("CSRF and Origin rejections change nothing", () => make(10).csrfRejections());
    await t.test("logout and revokeSubject", () => make(10).logoutAndRevokeSubject());
    await t.test("log out everywhere holds after Redis forgets the subject record", () => make(10).revocationOutlivesItsRecord());
    await t.test("absolute and idle expiry with injected time", () => make(10).expiry());
    await t.test("redis-server killed mid-session: 503, the cookie kept, nothing half done", () => make(10).storeFailure());
  });
}

test("RedisStore refuses clients with an offline queue and bad options, with coded errors", async () => {
  const queued = createClient({ url: redis.url });
  assert.throws(() => new RedisStore(queued), { code: "ERR_INVALID_OPTIONS", claim: "client", message: /disableOfflineQueue: true/ });
  const ioQueued = new IORedis(redis.url, { lazyConnect: true });
  assert.throws(() => new RedisStore(ioQueued), { code: "ERR_INVALID_OPTIONS", claim: "client", message: /enableOfflineQueue: false/ });
  ioQueued.disconnect();
  for (const bad of [undefined, null, {}, "redis://x"]) assert.throws(() => new RedisStore(bad), { code: "ERR_INVALID_OPTIONS", claim: "client" });
  const { client } = await CLIENTS["node-redis"]();
  assert.throws(() => new RedisStore(client, { prefix: 5 }), { code: "ERR_INVALID_OPTIONS", claim: "prefix" });
  assert.throws(() => new RedisStore(client, { timeoutMs: 0 }), { code: "ERR_INVALID_OPTIONS", claim: "timeoutMs" });
  const store = new RedisStore(client, { prefix: prefix() });
  await assert.rejects(store.put("k", { generation: "1" }, null, 60), { code: "ERR_STORE_UNAVAILABLE" });
  // A corrupted record is an unavailable store (503), not a crash.
  await client.sendCommand(["HSET", "corrupt:k", "g", "1", "r", "{not json"]);
  await assert.rejects(new RedisStore(client, { prefix: "corrupt:" }).get("k"), { code: "ERR_STORE_UNAVAILABLE" });
});

test("a write Redis holds past timeoutMs is a 503 with the cookie kept; when it lands, a retry in the grace window gets its successor", async () => {
  const { client } = await CLIENTS["node-redis"]();
  const admin = createClient({ url: redis.url });
  admin.on("error", () => {});
  await admin.connect();
  const p = prefix();
  const store = new RedisStore(client, { prefix: p, timeoutMs: 300 });
  const { call } = nodeApp(store, 30);
  const t0 = cookieOf(await call("/auth/login", { headers: CSRF, body: JSON.stringify({ username: "slow" }) }));
  try {
    // Redis holds every write (the put script included) for 1.5 s; reads still answer.
    await admin.sendCommand(["CLIENT", "PAUSE", "1500", "WRITE"]);
    const started = Date.now();
    const held = await call("/auth/refresh", { headers: { ...CSRF, cookie: t0 } });
    assert.equal(held.status, 503);
    assert.equal((await held.json()).code, "ERR_STORE_UNAVAILABLE");
    assert.equal(held.headers.get("set-cookie"), null, "the cookie is kept");
    assert.ok(Date.now() - started < 1500, "answered at timeoutMs, not when Redis let go");
    await assert.rejects(store.put("family:x", { generation: 0 }, null, 60), { code: "ERR_STORE_UNAVAILABLE", message: /within 300 ms/ });
    await new Promise((r) => setTimeout(r, 1700)); // the held rotation has now been written
    const retry = await call("/auth/refresh", { headers: { ...CSRF, cookie: t0 } });
    assert.equal(retry.status, 200, "the previous token inside reuseGrace is a retry, not reuse");
    const t1 = cookieOf(retry);
    const stored = await store.get(`family:${t0.split("=")[1].split(".")[1]}`);
    assert.equal(stored.current, sha256(t1.split("=")[1]), "one line of succession, held by the client");
    assert.equal((await call("/auth/refresh", { headers: { ...CSRF, cookie: t1 } })).status, 200);
  } finally {
    await admin.sendCommand(["CLIENT", "UNPAUSE"]).catch(() => {});
    await admin.close();
  }
});

/** `node www/node-server.mjs` as a child process sharing the keys; resolves its URL. */
async function serverProcess(env) {
  const child = spawn(process.execPath, [fileURLToPath(new URL("../../www/node-server.mjs", import.meta.url))], {
    env: { ...process.env, PORT: "0", DEMO_THEFT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = await Promise.race([once(lines, "line"), once(child, "exit").then(() => [null])]);
  const url = line?.match(/running at (\S+)/)?.[1];
  if (!url) throw new Error(`node-server did not start: ${line}`);
  return { url, stop: () => (child.exitCode === null ? (child.kill("SIGTERM"), once(child, "exit")) : null) };
}

const sha256 = (text) => createHash("sha256").update(text).digest("base64url");

test("two Node server processes on one Redis: concurrent refreshes of a family keep one line of succession", async () => {
  const { privateJwk } = generateKeyPair({ kid: "shared" });
  const origin = "http://app.example";
  const env = { REDIS_URL: redis.url, PRIVATE_JWK: JSON.stringify(privateJwk), REFRESH_SECRET: randomBytes(32).toString("base64url"), ORIGIN: origin };
  const servers = await Promise.all([serverProcess(env), serverProcess(env)]);
  try {
    const headers = { ...CSRF, origin, "content-type": "application/json" };
    const login = await fetch(`${servers[0].url}/auth/login`, { method: "POST", headers, body: JSON.stringify({ username: "demo", password: "demo" }) });
    assert.equal(login.status, 200);
    let cookie = cookieOf(login);
    for (let round = 0; round < 5; round++) {
      // 20 refreshes of the same cookie, split across both processes, all in flight at once.
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${servers[i % 2].url}/auth/refresh`, { method: "POST", headers: { ...headers, cookie } })),
      );
      assert.deepEqual([...new Set(responses.map((r) => r.status))], [200], `round ${round}: every concurrent refresh succeeds`);
      const successors = new Set(responses.map(cookieOf));
      assert.equal(successors.size, 1, `round ${round}: one successor across both processes`);
      cookie = [...successors][0];
    }
    // The store's family record names exactly the cookie the client holds as current.
    const client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    const family = cookie.split("=")[1].split(".")[1];
    const stored = JSON.parse(await client.hGet(`tessera:family:${family}`, "r"));
    await client.close();
    assert.equal(stored.current, sha256(cookie.split("=")[1]));
    assert.equal(stored.revoked, false);
    const last = await fetch(`${servers[1].url}/auth/refresh`, { method: "POST", headers: { ...headers, cookie } });
    assert.equal(last.status, 200);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test("Redis killed under load: refreshes get 503 and keep their cookie; after restart no session is lost or doubled", async () => {
  const { client, ready } = await CLIENTS["node-redis"]();
  const p = prefix();
  const store = new RedisStore(client, { prefix: p, timeoutMs: 1000 });
  const { call } = nodeApp(store, 30);
  const SESSIONS = 12;
  const cookies = [];
  for (let i = 0; i < SESSIONS; i++) cookies.push(cookieOf(await call("/auth/login", { headers: CSRF, body: JSON.stringify({ username: `user${i}` }) })));
  const statuses = new Map();
  let stop = false;
  // Each session refreshes in a loop, keeping the cookie of every 200 and its old one otherwise.
  const loops = cookies.map(async (_, i) => {
    while (!stop) {
      const res = await call("/auth/refresh", { headers: { ...CSRF, cookie: cookies[i] } });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 200) cookies[i] = cookieOf(res);
      else {
        assert.equal(res.status, 503, `only 503 while Redis is down (got ${res.status})`);
        assert.equal(res.headers.get("set-cookie"), null, "a 503 keeps the cookie");
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  await new Promise((r) => setTimeout(r, 400));
  await redisDown();
  await new Promise((r) => setTimeout(r, 600));
  await redisUp(ready);
  await new Promise((r) => setTimeout(r, 400));
  stop = true;
  await Promise.all(loops);
  assert.ok((statuses.get(503) ?? 0) > 0, "the outage was seen");
  assert.ok((statuses.get(200) ?? 0) > SESSIONS, "refreshes ran before and after");
  // No session lost: every client's latest cookie still refreshes. None doubled: the store holds
  // one family per login, whose current token is the client's.
  for (let i = 0; i < SESSIONS; i++) {
    const token = cookies[i].split("=")[1];
    const stored = await store.get(`family:${token.split(".")[1]}`);
    assert.equal(stored.current, sha256(token), `session ${i}: the store's current token is the client's`);
    assert.equal(stored.revoked, false);
    const res = await call("/auth/refresh", { headers: { ...CSRF, cookie: cookies[i] } });
    assert.equal(res.status, 200, `session ${i} survives`);
  }
  const keys = await client.sendCommand(["KEYS", `${p}family:*`]);
  assert.equal(keys.length, SESSIONS, "one family per login");
});
