// The Authority inside workerd (Miniflare) on the Durable Object store, over HTTP.
import { test, before, after } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { generateKeyPair } from "tessera";
import { scenarios, ORIGIN } from "./authority-shared.mjs";

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const root = fileURLToPath(new URL("../..", import.meta.url));
let mf, s;

function start(reuseGrace) {
  const { privateJwk } = generateKeyPair({ kid: "edge-1" });
  return new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL("./worker/authority-worker.js", import.meta.url)),
    modulesRoot: root,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    durableObjects: { SESSIONS: "TesseraStoreObject" },
    bindings: {
      ISSUER, AUDIENCE, ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk), REUSE_GRACE: String(reuseGrace),
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
  return scenarios(call, { issuer: ISSUER, audience: AUDIENCE, jwks: async () => (await call("/.well-known/jwks.json")).json() });
}

before(async () => {
  mf = start(10);
  await mf.ready;
  s = client(mf);
});
after(() => mf?.dispose());

test("workerd + Durable Object store: login → refresh → refresh, tokens accepted by jose", () => s.loginRefreshRefresh());
test("workerd + Durable Object store: a retry inside the grace window keeps the session", () => s.retryInsideGrace());
test("workerd + Durable Object store: 100 concurrent refreshes leave one line of succession", () => s.concurrentRefreshes(100));
test("workerd + Durable Object store: CSRF and Origin rejections change nothing", () => s.csrfRejections());
test("workerd + Durable Object store: logout and revokeSubject", () => s.logoutAndRevokeSubject());
test("workerd + Durable Object store: reuse outside the grace window revokes the family", async () => {
  const strict = start(0);
  try {
    await strict.ready;
    await client(strict).reuseRevokesFamily(() => new Promise((r) => setTimeout(r, 1100)));
  } finally {
    await strict.dispose();
  }
});
