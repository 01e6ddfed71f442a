// The refresh handshake in workerd (Miniflare), driven from Node over real loopback HTTP.
import { createServer } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { percentile, pool, waitForDist } from "./lib.mjs";
import { workerdOptions } from "../scripts/workerd.mjs";

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

/** Starts `file` in workerd; `options` are Miniflare options, or a function of the port giving them. */
async function startWorker(file, options = {}) {
  const { Miniflare } = await import("miniflare");
  await waitForDist(); // the workers import pkg/dist/web, which a rebuild may briefly remove
  const port = await freePort();
  const extra = typeof options === "function" ? options(port) : options;
  const mf = new Miniflare(workerdOptions(new URL(file, import.meta.url), { port, ...extra }));
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

/** Tessera's Authority on `store`: log in `sessions` users, then refresh → use the new cookie. */
async function authorityRun(store, bindings, params, check) {
  const options =
    store === "durable-object"
      ? {
          durableObjects: { SESSIONS: "TesseraStoreObject" },
          bindings: { ...bindings, STORE: store, REFRESH_SECRET: randomBytes(32).toString("base64url") },
        }
      : { bindings: { ...bindings, STORE: store } };
  const { mf, base } = await startWorker("./worker-authority.js", options);
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

const REDIRECT_URI = "https://app.example/callback";
const form = (fields) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

async function tokenResponse(res, what) {
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200) throw new Error(`${what}: status ${res.status} ${JSON.stringify(body)}`);
  if (typeof body.refresh_token !== "string" || typeof body.access_token !== "string") throw new Error(`${what}: no tokens in ${JSON.stringify(body)}`);
  return body;
}

/**
 * workers-oauth-provider's refresh grant on `store` ("memory": an in-isolate MemoryKV, "kv":
 * Miniflare's KV namespace). Each session is a real authorization: the bench's public client
 * (registered once) goes through /authorize with PKCE (S256), exchanges the code at the token
 * endpoint, then refreshes with its latest refresh token (rotated on every use).
 */
async function oauthProviderRun(store, params) {
  const options = (port) => ({
    bindings: { STORE: store, RESOURCE: `http://127.0.0.1:${port}/api/` },
    ...(store === "kv" ? { kvNamespaces: ["OAUTH_KV"] } : {}),
  });
  const { mf, base } = await startWorker("./worker-oauth-provider.js", options);
  try {
    const t0 = performance.now();
    const registered = await post(base, "/bench/client", { headers: { "content-type": "application/json" }, body: JSON.stringify({ redirectUri: REDIRECT_URI }) });
    if (registered.status !== 200) throw new Error(`client registration: status ${registered.status} ${await registered.text()}`);
    const { clientId } = await registered.json();
    const users = Array.from({ length: params.sessions }, (_, i) => `user-${i}`);
    const sessions = await pool(users, params.concurrency, async (username) => {
      const verifier = randomBytes(32).toString("base64url");
      const state = randomBytes(16).toString("base64url");
      const authorize = new URL("/authorize", base);
      authorize.search = new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        scope: "read",
        state,
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256",
        bench_user: username,
      }).toString();
      const res = await fetch(authorize, { headers: HEADERS, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (res.status !== 302) throw new Error(`authorize: status ${res.status} ${await res.text()}`);
      const callback = new URL(res.headers.get("location"));
      if (callback.searchParams.get("state") !== state) throw new Error("authorize: state not returned");
      const code = callback.searchParams.get("code");
      const tokens = await tokenResponse(
        await post(base, "/oauth/token", form({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier })),
        "code exchange",
      );
      return { username, refreshToken: tokens.refresh_token, accessToken: tokens.access_token };
    });
    const loginMs = performance.now() - t0;

    const result = await drive(
      sessions,
      async (session) => {
        const res = await post(base, "/oauth/token", form({ grant_type: "refresh_token", refresh_token: session.refreshToken, client_id: clientId }));
        const body = await tokenResponse(res, "refresh");
        if (body.refresh_token === session.refreshToken) throw new Error("refresh returned the same refresh token");
        session.refreshToken = body.refresh_token;
        session.accessToken = body.access_token;
      },
      params,
    );
    // The rotated sessions are real: their latest access tokens open the API as their user.
    for (const session of sessions.slice(0, 3)) {
      const res = await fetch(`${base}/api/whoami`, { headers: { authorization: `Bearer ${session.accessToken}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 200 || body.props?.sub !== session.username) throw new Error(`API with a refreshed token: status ${res.status} ${JSON.stringify(body)}`);
    }
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

/**
 * The handshake scenarios: the floor, then Tessera and workers-oauth-provider on comparable stores
 * (in-isolate memory; the platform's durable store). `check(session, jwks, expected)` verifies a
 * Tessera access token. A Tessera row carries `versus`: its rotations/s ÷ those of the
 * workers-oauth-provider row named there.
 */
export async function handshakeBench({ privateJwk, check, params }) {
  const bindings = { ISSUER, AUDIENCE, ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk) };
  const rows = [];
  const run = async (name, scenario) => {
    console.error(`handshake: ${name} ...`);
    const row = { name, ...(await scenario()) };
    rows.push(row);
    return row;
  };
  await run('Trivial worker (returns "ok"), same driver', () => floorRun(params));
  const tesseraMemory = await run("Tessera Authority + MemoryStore (default)", () => authorityRun("memory", bindings, params, check));
  const oauthMemory = await run("workers-oauth-provider refresh grant, in-isolate KV", () => oauthProviderRun("memory", params));
  const tesseraDo = await run("Tessera Authority + Durable Object store", () => authorityRun("durable-object", bindings, params, check));
  const oauthKv = await run("workers-oauth-provider refresh grant, Miniflare KV", () => oauthProviderRun("kv", params));
  tesseraMemory.versus = { name: "in-isolate KV", ratio: tesseraMemory.perSecond / oauthMemory.perSecond };
  tesseraDo.versus = { name: "KV", ratio: tesseraDo.perSecond / oauthKv.perSecond };
  return rows;
}
