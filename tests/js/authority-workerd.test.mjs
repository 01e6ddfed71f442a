// The Authority inside workerd (Miniflare) on the Durable Object store, over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair } from "tessera-auth";
import { workerd } from "./helpers.mjs";
import { scenarios, ORIGIN, IDLE_TTL, SESSION_TTL, CSRF as CSRF_HEADERS } from "./authority-shared.mjs";

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
let mf, s;

function start(reuseGrace) {
  const { privateJwk } = generateKeyPair({ kid: "edge-1" });
  return workerd(new URL("./worker/authority-worker.js", import.meta.url), {
    durableObjects: { SESSIONS: "TesseraStoreObject" },
    bindings: {
      ISSUER, AUDIENCE, ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk), REUSE_GRACE: String(reuseGrace),
      IDLE_TTL: String(IDLE_TTL), SESSION_TTL: String(SESSION_TTL),
      REFRESH_SECRET: Buffer.alloc(32, 3).toString("base64url"),
    },
  });
}

function client(worker) {
  const call = async (path, { headers = {}, body } = {}) => {
    const res = await worker.dispatchFetch(`https://auth.example${path}`, { method: path === "/api/me" || path.startsWith("/.well") ? "GET" : "POST", headers, body });
    // Miniflare's Response: rebuild a standard one so the shared scenarios can read it.
    const payload = res.status === 204 ? null : await res.arrayBuffer();
    return new Response(payload, { status: res.status, headers: [...res.headers] });
  };
  return scenarios(call, {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: async () => (await call("/.well-known/jwks.json")).json(),
    advance: (seconds) => call("/test/advance", { body: JSON.stringify({ seconds }) }),
    storeDown: (flag) => call("/test/store", { body: JSON.stringify({ down: flag }) }),
    forget: (key) => call("/test/forget", { body: JSON.stringify({ key }) }),
  });
}

before(async () => {
  mf = await start(10);
  await mf.ready;
  s = client(mf);
});
after(() => mf?.dispose());

test("workerd + Durable Object store: login → refresh → refresh, tokens accepted by jose", () => s.loginRefreshRefresh());
test("workerd + Durable Object store: a retry inside the grace window keeps the session", () => s.retryInsideGrace());
test("workerd + Durable Object store: 100 concurrent refreshes leave one line of succession", () => s.concurrentRefreshes(100));
test("workerd + Durable Object store: CSRF and Origin rejections change nothing", () => s.csrfRejections());
test("workerd + Durable Object store: logout and revokeSubject", () => s.logoutAndRevokeSubject());
test("workerd + Durable Object store: log out everywhere holds after the store forgets the subject record", () => s.revocationOutlivesItsRecord());
test("workerd + Durable Object store: store failure mid-refresh is 503 and changes nothing", () => s.storeFailure());
test("workerd + Durable Object store: absolute and idle expiry with injected time", () => s.expiry());
test("workerd + Durable Object store: reuse outside the grace window revokes the family", async () => {
  const strict = await start(0);
  try {
    await strict.ready;
    await client(strict).reuseRevokesFamily(() => new Promise((r) => setTimeout(r, 1100)));
  } finally {
    await strict.dispose();
  }
});
test("workerd: a streamed 1 MiB body (no Content-Length) to refresh and logout is 400 and changes nothing", async () => {
  const login = await mf.dispatchFetch("https://auth.example/auth/login", { method: "POST", headers: CSRF_HEADERS, body: JSON.stringify({ username: "chunky" }) });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  await login.arrayBuffer();
  const streamed = async (path, size) => (await mf.dispatchFetch("https://auth.example/test/streamed", { method: "POST", body: JSON.stringify({ path, cookie, size }) })).json();
  for (const path of ["/auth/refresh", "/auth/logout"]) {
    const answer = await streamed(path, 1 << 20);
    assert.equal(answer.contentLength, null);
    assert.equal(answer.status, 400, path);
    assert.equal(JSON.parse(answer.text).code, "ERR_MALFORMED");
    assert.equal(answer.setCookie, null, "no cookie set or cleared");
    assert.equal(answer.bodyLength, 1 << 20, "the worker can still read the body");
  }
  // Over real HTTP, chunked: workerd may reset a connection whose body the worker left unread,
  // so only the outcome is checked: the session is untouched.
  const chunked = new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(1 << 20)), c.close()) });
  await mf.dispatchFetch("https://auth.example/auth/logout", { method: "POST", headers: { ...CSRF_HEADERS, cookie }, body: chunked, duplex: "half" }).then((r) => r.arrayBuffer(), () => null);
  const refreshed = await mf.dispatchFetch("https://auth.example/auth/refresh", { method: "POST", headers: { ...CSRF_HEADERS, cookie } });
  assert.equal(refreshed.status, 200, "the session is untouched");
  await refreshed.arrayBuffer();
  // The limit is the size, not the framing: 16 KiB streamed passes the check.
  assert.equal((await streamed("/auth/logout", 16 * 1024)).status, 200);
});
