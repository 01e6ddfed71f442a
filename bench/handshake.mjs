// The refresh handshake in workerd (Miniflare), driven from Node over real loopback HTTP.
import { createHash, randomBytes } from "node:crypto";
import { freePort, median, percentile, pool, waitForDist } from "./lib.mjs";
import { workerdOptions } from "../scripts/workerd.mjs";

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const ORIGIN = "https://app.example";
const HEADERS = { origin: ORIGIN, "tessera-request": "1" };
const REQUEST_TIMEOUT_MS = 10_000;

/** Starts `file` in workerd; `options` are Miniflare options, or a function of the port giving them. */
async function startWorker(file, options = {}) {
  const { Miniflare } = await import("miniflare");
  await waitForDist(); // the workers import pkg/dist/<role>/web, which a rebuild may briefly remove
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
  return { latencies, errors, seconds, perSecond: latencies.length / seconds, firstError: firstError?.message };
}

const post = (base, path, { headers = {}, body } = {}) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...HEADERS, ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

/**
 * A scenario: `start()` launches its worker and returns `{ mf, base }`; `setup(base)` makes the
 * sessions (untimed) and returns `{ sessions, step(session), verify() }`, where `step` is one timed
 * refresh and `verify` checks afterwards that the rotated sessions are real.
 */

/** Tessera's Authority on `store`: log in users, then refresh → use the new cookie. */
function authorityScenario(store, bindings, params, check) {
  const options =
    store === "durable-object"
      ? {
          durableObjects: { SESSIONS: "TesseraStoreObject" },
          bindings: { ...bindings, STORE: store, REFRESH_SECRET: randomBytes(32).toString("base64url") },
        }
      : { bindings: { ...bindings, STORE: store } };
  return {
    start: () => startWorker("./worker-authority.js", options),
    async setup(base) {
      const users = Array.from({ length: params.sessions }, (_, i) => `user-${i}`);
      const sessions = await pool(users, params.concurrency, async (username) => {
        const res = await post(base, "/auth/login", { headers: { "content-type": "application/json" }, body: JSON.stringify({ username }) });
        if (res.status !== 200) throw new Error(`login: status ${res.status} ${await res.text()}`);
        const body = await res.json();
        return { username, cookie: cookieOf(res), accessToken: body.access_token };
      });
      return {
        sessions,
        async step(session) {
          const res = await post(base, "/auth/refresh", { headers: { cookie: session.cookie } });
          const body = await res.json();
          if (res.status !== 200) throw new Error(`refresh: status ${res.status} ${JSON.stringify(body)}`);
          const next = cookieOf(res);
          if (next === session.cookie) throw new Error("refresh returned the same cookie");
          session.cookie = next;
          session.accessToken = body.access_token;
        },
        // The latest access tokens verify against the worker's JWKS.
        async verify() {
          const jwks = await (await fetch(`${base}/.well-known/jwks.json`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).json();
          for (const session of sessions.slice(0, 3)) check(session, jwks, { issuer: ISSUER, audience: AUDIENCE });
        },
      };
    },
  };
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
function oauthProviderScenario(store, params) {
  const options = (port) => ({
    bindings: { STORE: store, RESOURCE: `http://127.0.0.1:${port}/api/` },
    ...(store === "kv" ? { kvNamespaces: ["OAUTH_KV"] } : {}),
  });
  return {
    start: () => startWorker("./worker-oauth-provider.js", options),
    async setup(base) {
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
      return {
        sessions,
        async step(session) {
          const res = await post(base, "/oauth/token", form({ grant_type: "refresh_token", refresh_token: session.refreshToken, client_id: clientId }));
          const body = await tokenResponse(res, "refresh");
          if (body.refresh_token === session.refreshToken) throw new Error("refresh returned the same refresh token");
          session.refreshToken = body.refresh_token;
          session.accessToken = body.access_token;
        },
        // The latest (opaque) access tokens open the API as their user.
        async verify() {
          for (const session of sessions.slice(0, 3)) {
            const res = await fetch(`${base}/api/whoami`, { headers: { authorization: `Bearer ${session.accessToken}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            const body = await res.json().catch(() => ({}));
            if (res.status !== 200 || body.props?.sub !== session.username) throw new Error(`API with a refreshed token: status ${res.status} ${JSON.stringify(body)}`);
          }
        },
      };
    },
  };
}

/** The floor: a worker that answers "ok" to the same requests as Tessera's refresh. */
function floorScenario(params) {
  return {
    start: () => startWorker("./worker-ok.js"),
    async setup(base) {
      return {
        sessions: Array.from({ length: params.sessions }, (_, i) => ({ username: `user-${i}` })),
        async step(session) {
          const res = await post(base, "/auth/refresh", { headers: { cookie: `x=${session.username}` } });
          const text = await res.text();
          if (res.status !== 200 || text !== "ok") throw new Error(`ok worker: status ${res.status}`);
        },
        async verify() {},
        noLogin: true,
      };
    },
  };
}

/**
 * The handshake scenarios: the floor, then Tessera and workers-oauth-provider on comparable stores
 * (in-isolate memory; the platform's durable store). All workers run at once; after the untimed
 * set-up and a warm-up, `params.rounds` rounds each drive every scenario in turn (order rotated per
 * round) for its share of `maxRequests`/`maxSeconds`, so that load drift on a shared machine hits
 * every scenario alike. A row reports the median rotations/s over the rounds and their min–max,
 * p50/p99 over all timed requests, and p50/p99 of `params.serialRequests` more requests sent one at
 * a time (latency without queueing behind other requests); a Tessera row also `versus`: its median ÷ that of the
 * workers-oauth-provider row on the comparable store. `check(session, jwks, expected)` verifies a
 * Tessera access token.
 */
export async function handshakeBench({ privateJwk, check, params }) {
  const bindings = { ISSUER, AUDIENCE, ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk) };
  const scenarios = [
    { name: 'Trivial worker (returns "ok"), same driver', ...floorScenario(params) },
    { name: "Tessera Authority + MemoryStore (default)", ...authorityScenario("memory", bindings, params, check) },
    { name: "workers-oauth-provider refresh grant, in-isolate KV", ...oauthProviderScenario("memory", params) },
    { name: "Tessera Authority + Durable Object store", ...authorityScenario("durable-object", bindings, params, check) },
    { name: "workers-oauth-provider refresh grant, Miniflare KV", ...oauthProviderScenario("kv", params) },
  ];
  const perRound = {
    concurrency: params.concurrency,
    maxRequests: Math.ceil(params.maxRequests / params.rounds),
    maxSeconds: params.maxSeconds / params.rounds,
  };
  const serialRound = { concurrency: 1, maxRequests: Math.ceil(params.serialRequests / params.rounds), maxSeconds: perRound.maxSeconds };
  try {
    for (const scenario of scenarios) {
      console.error(`handshake: start + set up: ${scenario.name} ...`);
      Object.assign(scenario, await scenario.start());
      const t0 = performance.now();
      Object.assign(scenario, await scenario.setup(scenario.base));
      scenario.loginMs = scenario.noLogin ? NaN : performance.now() - t0;
      const warm = await drive(scenario.sessions, scenario.step, { ...perRound, maxRequests: params.warmup });
      if (warm.errors) throw new Error(`${scenario.name}: warm-up failed: ${warm.firstError}`);
      scenario.rounds = [];
      scenario.serial = [];
    }
    for (let round = 0; round < params.rounds; round++) {
      console.error(`handshake: round ${round + 1}/${params.rounds}`);
      for (let k = 0; k < scenarios.length; k++) {
        const scenario = scenarios[(round + k) % scenarios.length];
        scenario.rounds.push(await drive(scenario.sessions, scenario.step, perRound));
        // Latency without queueing: the same requests one at a time.
        scenario.serial.push(await drive(scenario.sessions, scenario.step, serialRound));
      }
    }
    for (const scenario of scenarios) await scenario.verify();
  } finally {
    for (const scenario of scenarios) await scenario.mf?.dispose();
  }
  const rows = scenarios.map((scenario) => {
    const rates = scenario.rounds.map((r) => r.perSecond);
    const latencies = scenario.rounds.flatMap((r) => r.latencies);
    const serial = scenario.serial.flatMap((r) => r.latencies);
    const drives = [...scenario.rounds, ...scenario.serial];
    return {
      name: scenario.name,
      sessions: scenario.sessions.length,
      loginMs: scenario.loginMs,
      rounds: rates.length,
      requests: latencies.length,
      seconds: scenario.rounds.reduce((sum, r) => sum + r.seconds, 0),
      errors: drives.reduce((sum, r) => sum + r.errors, 0),
      firstError: drives.find((r) => r.firstError)?.firstError,
      perSecond: median(rates),
      minPerSecond: Math.min(...rates),
      maxPerSecond: Math.max(...rates),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      serialRequests: serial.length,
      serialP50: percentile(serial, 50),
      serialP99: percentile(serial, 99),
    };
  });
  const [, tesseraMemory, oauthMemory, tesseraDo, oauthKv] = rows;
  tesseraMemory.versus = { name: "in-isolate KV", ratio: tesseraMemory.perSecond / oauthMemory.perSecond };
  tesseraDo.versus = { name: "KV", ratio: tesseraDo.perSecond / oauthKv.perSecond };
  return rows;
}
