// The refresh handshake in workerd (Miniflare), driven from Node over real loopback HTTP.
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { percentile, pool, waitForDist } from "./lib.mjs";

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const ORIGIN = "https://app.example";
const HEADERS = { origin: ORIGIN, "tessera-request": "1" };
const REQUEST_TIMEOUT_MS = 10_000;

/** A port that was free a moment ago on 127.0.0.1 (bound to 0, read, closed). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startWorker(file, options = {}) {
  const { Miniflare } = await import("miniflare");
  await waitForDist(); // the worker imports pkg/dist/web, which a rebuild may briefly remove
  const port = await freePort();
  const mf = new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL(file, import.meta.url)),
    modulesRoot: fileURLToPath(new URL("..", import.meta.url)),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port,
    ...options,
  });
  const url = await mf.ready;
  if (Number(url.port) !== port) throw new Error(`Miniflare listens on ${url.href}, expected port ${port}`);
  return { mf, base: `http://127.0.0.1:${port}` };
}

const cookieOf = (res) => {
  const header = res.headers.get("set-cookie");
  if (!header) throw new Error(`no Set-Cookie (status ${res.status})`);
  return header.split(";")[0];
};

/**
 * Runs `step(session)` for many sessions with `concurrency` in flight; each session is used by
 * one request at a time (taken from a queue, put back after its response). Stops after
 * `maxRequests` requests or `maxSeconds`, whichever first.
 */
async function drive(sessions, step, { concurrency, maxRequests, maxSeconds }) {
  const queue = [...sessions];
  const latencies = [];
  let started = 0;
  let errors = 0;
  let firstError;
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < maxRequests && performance.now() < deadline && errors < 20) {
        const session = queue.shift();
        if (!session) throw new Error("session queue empty: concurrency must be below the session count");
        started += 1;
        const t = performance.now();
        try {
          await step(session);
          latencies.push(performance.now() - t);
        } catch (error) {
          errors += 1;
          firstError ??= error;
        }
        queue.push(session);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  if (errors) console.error(`  ${errors} request(s) failed; first: ${firstError?.message}`);
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    firstError: firstError?.message,
  };
}

const post = (base, path, { headers = {}, body } = {}) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...HEADERS, ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

/** Login `sessions` users, then refresh → use the new cookie, as configured. */
async function authorityRun(file, options, params, check) {
  const { mf, base } = await startWorker(file, options);
  try {
    // Log in every session (same concurrency), then a sanity check on one refresh result.
    const t0 = performance.now();
    const users = Array.from({ length: params.sessions }, (_, i) => `user-${i}`);
    const sessions = await pool(users, params.concurrency, async (username) => {
      const res = await post(base, "/auth/login", { headers: { "content-type": "application/json" }, body: JSON.stringify({ username }) });
      if (res.status !== 200) throw new Error(`login: status ${res.status} ${await res.text()}`);
      const body = await res.json();
      return { username, cookie: cookieOf(res), accessToken: body.access_token };
    });
    const loginMs = performance.now() - t0;

    const jwks = await (await fetch(`${base}/.well-known/jwks.json`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).json();
    const result = await drive(
      sessions,
      async (session) => {
        const res = await post(base, "/auth/refresh", { headers: { cookie: session.cookie } });
        const body = await res.json();
        if (res.status !== 200) throw new Error(`refresh: status ${res.status} ${JSON.stringify(body)}`);
        const next = cookieOf(res);
        if (next === session.cookie) throw new Error("refresh returned the same cookie");
        session.cookie = next;
        session.accessToken = body.access_token;
      },
      params,
    );
    // The rotated sessions are real: their latest access tokens verify against the worker's JWKS.
    for (const session of sessions.slice(0, 3)) check(session, jwks, { issuer: ISSUER, audience: AUDIENCE });
    return { ...result, loginMs, sessions: sessions.length };
  } finally {
    await mf.dispose();
  }
}

async function floorRun(params) {
  const { mf, base } = await startWorker("./worker-ok.js");
  try {
    const sessions = Array.from({ length: params.sessions }, (_, i) => ({ username: `user-${i}` }));
    const result = await drive(
      sessions,
      async (session) => {
        const res = await post(base, "/auth/refresh", { headers: { cookie: `x=${session.username}` } });
        const text = await res.text();
        if (res.status !== 200 || text !== "ok") throw new Error(`ok worker: status ${res.status}`);
      },
      params,
    );
    return { ...result, sessions: sessions.length, loginMs: NaN };
  } finally {
    await mf.dispose();
  }
}

/** All three handshake scenarios; `check(session, jwks, expected)` verifies an access token. */
export async function handshakeBench({ privateJwk, check, params }) {
  const bindings = { ISSUER, AUDIENCE, ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk) };
  const rows = [];
  console.error("handshake: trivial worker (floor) ...");
  rows.push({ name: 'Trivial worker (returns "ok"), same driver', ...(await floorRun(params)) });
  console.error("handshake: Authority + MemoryStore ...");
  rows.push({
    name: "Authority + MemoryStore (default)",
    ...(await authorityRun("./worker-authority-memory.js", { bindings }, params, check)),
  });
  console.error("handshake: Authority + Durable Object store ...");
  rows.push({
    name: "Authority + Durable Object store",
    ...(await authorityRun(
      "./worker-authority-do.js",
      {
        durableObjects: { SESSIONS: "TesseraStoreObject" },
        bindings: { ...bindings, REFRESH_SECRET: randomBytes(32).toString("base64url") },
      },
      params,
      check,
    )),
  });
  return rows;
}
