// The Authority inside workerd (Miniflare) on the Durable Object store, over HTTP.
import { test, before, after } from "node:test";
import { generateKeyPair } from "tessera-auth";
import { workerd } from "./helpers.mjs";
import { scenarios, ORIGIN, IDLE_TTL, SESSION_TTL } from "./authority-shared.mjs";

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
