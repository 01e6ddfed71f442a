// Tessera benchmark: `npm run bench` (= node bench/run.mjs). Writes bench/RESULTS.md and prints it.
// Not part of ./scripts/test.sh. See bench/README.md for what each row measures.
import crypto from "node:crypto";
import os from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync, constants as zlibConstants } from "node:zlib";
import { fileURLToPath } from "node:url";
import { REPO, waitForDist, median, fmtInt, fmtMs, fmtRatio, table } from "./lib.mjs";
import { handshakeBench } from "./handshake.mjs";

const TOKENS = 1000;
const ROUNDS = 7;
const WARMUP = 300; // tokens per candidate before the timed rounds (JIT, caches, lazy init)
const COLD_RUNS = 7; // fresh processes per cold-start mode
const HANDSHAKE = { sessions: 50, concurrency: 8, maxRequests: 10000, maxSeconds: 20, rounds: 5, warmup: 100, serialRequests: 1000 }; // per scenario

/** The handshake bench's check of a Tessera access token (RFC 9068 profile, right subject). */
function checkAccessToken(session, jwks, { issuer, audience }) {
  const claims = new Verifier({ jwks, issuer, audience, profile: "at+jwt" }).verifySync(session.accessToken);
  if (claims.sub !== session.username) throw new Error("handshake: access token for the wrong subject");
}
const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const WASM = new URL("pkg/dist/web/tessera_bg.wasm", REPO);

const startedAt = Date.now();
const loadAtStart = os.loadavg()[0];
const log = (msg) => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

await waitForDist();
// The build under test: hash both wasm files the bench loads (nodejs in-process, web for cold start).
const NODE_WASM = new URL("pkg/dist/nodejs/tessera_bg.wasm", REPO);
const buildHash = () => {
  try {
    return sha256(Buffer.concat([readFileSync(NODE_WASM), readFileSync(WASM)]));
  } catch {
    return "missing (rebuild in progress?)";
  }
};
const wasmBytes = readFileSync(WASM);
const wasmHashAtStart = buildHash();
const { Verifier, Signer, generateKeyPair } = await import("tessera-auth");
const jose = await import("jose");
const require = createRequire(import.meta.url);
const { createVerifier } = require("fast-jwt");
const jsonwebtoken = require("jsonwebtoken");

// ---------------------------------------------------------------- tokens and keys
log(`making ${TOKENS} tokens`);
const { privateJwk, publicJwk } = generateKeyPair({ kid: "bench-1" });
const signer = new Signer({ privateJwk, issuer: ISSUER, audience: AUDIENCE });
const claimsFor = (i) => ({ sub: `user-${i}`, client_id: "bench", scope: i % 2 ? "read write" : "read", n: i });
const tokens = Array.from({ length: TOKENS }, (_, i) => signer.signSync(claimsFor(i), { expiresIn: 3600 }));
const raw = tokens.map((token) => {
  const [h, p, s] = token.split(".");
  return { data: Buffer.from(`${h}.${p}`), sig: Buffer.from(s, "base64url") };
});
const repeatToken = tokens[0];

const nodePublic = crypto.createPublicKey({ key: publicJwk, format: "jwk" });
const nodePrivate = crypto.createPrivateKey({ key: privateJwk, format: "jwk" });
const pem = nodePublic.export({ type: "spki", format: "pem" });
const subtle = crypto.webcrypto.subtle;
const ecdsa = { name: "ECDSA", namedCurve: "P-256" };
const ecdsaSha256 = { name: "ECDSA", hash: "SHA-256" };
const subtlePublic = await subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y }, ecdsa, false, ["verify"]);
const subtlePrivate = await subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: privateJwk.x, y: privateJwk.y, d: privateJwk.d }, ecdsa, false, ["sign"]);
const josePublic = await jose.importJWK(publicJwk, "ES256");
const josePrivate = await jose.importJWK(privateJwk, "ES256");
const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES256"] };

const newVerifier = () => new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES256"] });
const verifier = newVerifier(); // shared: the cache-warm and repeat-token rows
const fastVerify = createVerifier({ key: pem, algorithms: ["ES256"], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: false });
const jwtOptions = { algorithms: ["ES256"], issuer: ISSUER, audience: AUDIENCE };

// ---------------------------------------------------------------- correctness checks (untimed)
log("checking every token with jose, and every candidate on a valid and a tampered token");
{
  const jtis = new Set();
  for (let i = 0; i < TOKENS; i++) {
    const { payload, protectedHeader } = await jose.jwtVerify(tokens[i], josePublic, joseOptions);
    if (payload.n !== i || protectedHeader.alg !== "ES256" || typeof payload.exp !== "number") throw new Error(`jose: token ${i} has unexpected claims`);
    jtis.add(payload.jti);
  }
  if (jtis.size !== TOKENS) throw new Error(`only ${jtis.size} distinct jti`);
  // Fill the shared Verifier's cache with every token (the cache-warm and repeat rows use it).
  for (let i = 0; i < TOKENS; i++) if (verifier.verifySync(tokens[i]).n !== i) throw new Error(`Tessera: token ${i}`);
  // A tampered signature (one middle character flipped; still canonical base64url) must be refused.
  const [h, p, s] = tokens[1].split(".");
  const mid = Math.floor(s.length / 2);
  const bad = `${h}.${p}.${s.slice(0, mid)}${s[mid] === "A" ? "B" : "A"}${s.slice(mid + 1)}`;
  const badRaw = { data: Buffer.from(`${h}.${p}`), sig: Buffer.from(bad.split(".")[2], "base64url") };
  const refuses = {
    "node:crypto": () => !crypto.verify("sha256", badRaw.data, { key: nodePublic, dsaEncoding: "ieee-p1363" }, badRaw.sig),
    "crypto.subtle": async () => !(await subtle.verify(ecdsaSha256, subtlePublic, badRaw.sig, badRaw.data)),
    jose: () => jose.jwtVerify(bad, josePublic, joseOptions).then(() => false, () => true),
    "fast-jwt": () => throws(() => fastVerify(bad)),
    jsonwebtoken: () => throws(() => jsonwebtoken.verify(bad, pem, jwtOptions)),
    "Tessera verify (cache holds the untampered token)": () => verifier.verify(bad).then(() => false, (e) => e.code === "ERR_BAD_SIGNATURE"),
    "Tessera verifySync (cache holds the untampered token)": () => throws(() => verifier.verifySync(bad)),
    "Tessera verifySync (fresh Verifier)": () => throws(() => newVerifier().verifySync(bad)),
  };
  for (const [name, refuse] of Object.entries(refuses)) if (!(await refuse())) throw new Error(`${name} accepted a tampered token`);
  if (fastVerify(tokens[2]).n !== 2 || jsonwebtoken.verify(tokens[2], pem, jwtOptions).n !== 2) throw new Error("fast-jwt/jsonwebtoken");
  if (verifier.verifySync(tokens[2]).n !== 2 || (await verifier.verify(tokens[2])).n !== 2) throw new Error("Tessera");
}
function throws(fn) {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------- timed candidates
// Each `run(count)` does `count` operations and returns how many succeeded (checked cheaply).
const verifyCandidates = [
  {
    name: "node:crypto `crypto.verify` raw (baseline)",
    baseline: true,
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (crypto.verify("sha256", raw[i].data, { key: nodePublic, dsaEncoding: "ieee-p1363" }, raw[i].sig)) ok++;
      return ok;
    },
  },
  {
    name: "crypto.subtle.verify raw, sequential",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (await subtle.verify(ecdsaSha256, subtlePublic, raw[i].sig, raw[i].data)) ok++;
      return ok;
    },
  },
  {
    name: "jose `jwtVerify`, sequential",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if ((await jose.jwtVerify(tokens[i], josePublic, joseOptions)).payload.n === i) ok++;
      return ok;
    },
  },
  {
    name: "fast-jwt `createVerifier` (sync, cache off)",
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (fastVerify(tokens[i]).n === i) ok++;
      return ok;
    },
  },
  {
    name: "jsonwebtoken `verify` (sync)",
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (jsonwebtoken.verify(tokens[i], pem, jwtOptions).n === i) ok++;
      return ok;
    },
  },
  // Tessera's Verifier keeps a cache of verified tokens (up to 1024, keyed on the signing
  // input). The distinct-token rows therefore get a fresh Verifier (empty cache) before every
  // timed pass, made outside the timing, so each of the 1000 tokens is verified in full.
  {
    name: "Tessera `verifier.verify` (await each; fresh Verifier per pass)",
    setup() {
      this.v?.free(); // release the previous pass's Verifier (and its cache) in wasm memory
      this.v = newVerifier();
    },
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if ((await this.v.verify(tokens[i])).n === i) ok++;
      return ok;
    },
  },
  {
    name: "Tessera `verifier.verifySync` (fresh Verifier per pass)",
    setup() {
      this.v?.free(); // release the previous pass's Verifier (and its cache) in wasm memory
      this.v = newVerifier();
    },
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (this.v.verifySync(tokens[i]).n === i) ok++;
      return ok;
    },
  },
  {
    name: "Tessera `verifySync`, cache warm (same Verifier every pass: the 1000 tokens were seen before)",
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (verifier.verifySync(tokens[i]).n === i) ok++;
      return ok;
    },
  },
  {
    name: "Tessera repeat token (`verifySync`, same token, same Verifier)",
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (verifier.verifySync(repeatToken).n === 0) ok++;
      return ok;
    },
  },
  {
    name: "jose repeat token (`jwtVerify`, same token)",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if ((await jose.jwtVerify(repeatToken, josePublic, joseOptions)).payload.n === 0) ok++;
      return ok;
    },
  },
];

const signInputs = raw.map((r) => r.data); // 1000 distinct signing inputs of real-token size
const signCandidates = [
  {
    name: "node:crypto `crypto.sign` raw (baseline)",
    baseline: true,
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (crypto.sign("sha256", signInputs[i], { key: nodePrivate, dsaEncoding: "ieee-p1363" }).length === 64) ok++;
      return ok;
    },
  },
  {
    name: "crypto.subtle.sign raw, sequential",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if ((await subtle.sign(ecdsaSha256, subtlePrivate, signInputs[i])).byteLength === 64) ok++;
      return ok;
    },
  },
  {
    name: "jose `new SignJWT(...).sign(key)`, sequential",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) {
        const jwt = await new jose.SignJWT(claimsFor(i))
          .setProtectedHeader({ alg: "ES256", kid: "bench-1", typ: "at+jwt" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime("1h")
          .setJti(crypto.randomBytes(16).toString("base64url"))
          .sign(josePrivate);
        if (jwt.length > 0) ok++;
      }
      return ok;
    },
  },
  {
    name: "Tessera `signer.signSync(claims)`",
    run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if (signer.signSync(claimsFor(i), { expiresIn: 3600 }).length > 0) ok++;
      return ok;
    },
  },
  {
    name: "Tessera `await signer.sign(claims)`",
    async run(count) {
      let ok = 0;
      for (let i = 0; i < count; i++) if ((await signer.sign(claimsFor(i), { expiresIn: 3600 })).length > 0) ok++;
      return ok;
    },
  },
];

/** Warm-up, then ROUNDS rounds; each round runs every candidate once, starting at a rotated index. */
async function rounds(label, candidates) {
  for (const c of candidates) {
    c.setup?.();
    if ((await c.run(WARMUP)) !== WARMUP) throw new Error(`${c.name}: warm-up failed`);
    c.samples = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    log(`${label}: round ${r + 1}/${ROUNDS}`);
    for (let k = 0; k < candidates.length; k++) {
      const c = candidates[(r + k) % candidates.length];
      c.setup?.(); // untimed
      const t0 = performance.now();
      const ok = await c.run(TOKENS);
      const seconds = (performance.now() - t0) / 1000;
      if (ok !== TOKENS) throw new Error(`${c.name}: ${TOKENS - ok} of ${TOKENS} operations failed`);
      c.samples.push(TOKENS / seconds);
    }
  }
  const base = median(candidates.find((c) => c.baseline).samples);
  return candidates.map((c) => {
    const m = median(c.samples);
    return { name: c.name, median: m, min: Math.min(...c.samples), max: Math.max(...c.samples), ratio: m / base };
  });
}

// BENCH_HANDSHAKE=1: print the handshake rows only (RESULTS.md untouched).
if (process.env.BENCH_HANDSHAKE) {
  const rows = await handshakeBench({ privateJwk, params: HANDSHAKE, check: checkAccessToken });
  for (const r of rows) {
    const ratio = r.versus ? `${fmtRatio(r.versus.ratio)} on ${r.versus.name}` : "";
    console.log(`${fmtInt(r.perSecond)}/s (${fmtInt(r.minPerSecond)}–${fmtInt(r.maxPerSecond)}) ${ratio}  p99 ${fmtMs(r.p99, 2)} ms, one in flight p99 ${fmtMs(r.serialP99, 2)} ms  ${r.name}`);
  }
  process.exit(0);
}

const verifyRows = await rounds("verify", verifyCandidates);
const signRows = await rounds("sign", signCandidates);
// BENCH_QUICK=1: print the verify and sign ratios only (no cold start, no handshake, RESULTS.md untouched).
if (process.env.BENCH_QUICK) {
  for (const r of [...verifyRows, ...signRows]) console.log(`${fmtRatio(r.ratio)}  ${fmtInt(r.median)} ops/s  ${r.name}`);
  process.exit(0);
}

// ---------------------------------------------------------------- module size
const size = { raw: wasmBytes.length, gzip: gzipSync(wasmBytes, { level: zlibConstants.Z_BEST_COMPRESSION }).length };

// ---------------------------------------------------------------- cold start (fresh processes)
log(`cold start: ${COLD_RUNS} fresh processes per mode`);
const coldInput = JSON.stringify({ token: tokens[0], publicJwk, issuer: ISSUER, audience: AUDIENCE });
const coldModes = ["wasm", "tessera-auth", "jose", "node-crypto"];
const cold = Object.fromEntries(coldModes.map((m) => [m, []]));
for (let r = 0; r < COLD_RUNS; r++) {
  for (let k = 0; k < coldModes.length; k++) {
    const mode = coldModes[(r + k) % coldModes.length];
    let result;
    for (let attempt = 0; attempt < 3 && !result; attempt++) {
      const child = spawnSync(process.execPath, [fileURLToPath(new URL("cold-child.mjs", import.meta.url)), mode], {
        cwd: fileURLToPath(REPO),
        env: { ...process.env, BENCH_COLD_INPUT: coldInput },
        encoding: "utf8",
        timeout: 30_000,
      });
      if (child.status === 0) result = JSON.parse(child.stdout.trim().split("\n").pop());
      else {
        console.error(`cold start (${mode}) failed: ${child.stderr || child.error}; retrying`);
        await waitForDist();
      }
    }
    if (!result) throw new Error(`cold start (${mode}) failed three times`);
    cold[mode].push(result);
  }
}
const coldStat = (mode, key) => {
  const values = cold[mode].map((x) => x[key]);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
};

// ---------------------------------------------------------------- handshake in workerd
log("handshake in workerd (Miniflare), loopback HTTP");
const handshakeRows = await handshakeBench({ privateJwk, params: HANDSHAKE, check: checkAccessToken });

// ---------------------------------------------------------------- report
const wasmHashAtEnd = buildHash();
const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? "unknown";
const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
const git = (args) => {
  try {
    return execFileSync("git", args, { cwd: fileURLToPath(REPO), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
};
const head = git(["rev-parse", "--short", "HEAD"]) || "unknown";
const dirty = git(["status", "--porcelain", "--", "src", "pkg", "Cargo.toml", "Cargo.lock"]) ? " (uncommitted changes in src/ or pkg/)" : "";
const version = (name) => require(`${name}/package.json`).version;

const fmtRange = (min, max) => `${fmtInt(min)}–${fmtInt(max)}`;
const opsTable = (rows, baseName) =>
  table(
    ["Candidate", "Median ops/s", "Min–max ops/s", `Ratio to ${baseName}`],
    rows.map((r) => [r.name, fmtInt(r.median), fmtRange(r.min, r.max), fmtRatio(r.ratio)]),
  );
const msRow = (label, s) => [label, `${fmtMs(s.median)} ms`, `${fmtMs(s.min)}–${fmtMs(s.max)} ms`];

const report = `# Tessera benchmark results

Generated by \`npm run bench\` (\`node bench/run.mjs\`) on ${new Date(startedAt).toISOString()}.

* Node ${process.version} · CPU: ${cpu} · \`nproc\`: ${nproc} · ${os.platform()} ${os.release()}
* Tessera at git ${head}${dirty}; \`tessera_bg.wasm\` (nodejs + web builds) sha256 ${wasmHashAtStart.slice(0, 16)}…${wasmHashAtEnd === wasmHashAtStart ? "" : ` — **changed during the run** (now ${wasmHashAtEnd.slice(0, 16)}…): results mix two builds`}
* jose ${version("jose")} · fast-jwt ${version("fast-jwt")} · jsonwebtoken ${version("jsonwebtoken")} · miniflare ${version("miniflare")} · @cloudflare/workers-oauth-provider ${version("@cloudflare/workers-oauth-provider")}
* ${TOKENS} distinct ES256 tokens (one P-256 key, iss/aud/exp/iat/jti, different \`sub\`/\`n\`/\`jti\`), signed by Tessera and checked by jose.
  ${ROUNDS} interleaved rounds (each round runs every candidate once over all ${TOKENS} tokens, order rotated per round) after a ${WARMUP}-operation warm-up; ops/s per round, median and min–max over rounds.
* Shared, noisy ${nproc}-core machine: 1-minute load average ${loadAtStart.toFixed(2)} just before the run (${loadAtStart > 0.7 ? "**other work was running**" : "mostly idle"}), ${os.loadavg()[0].toFixed(2)} at the end (includes this run). Compare ratios within this run, not absolute numbers across runs.

## Verify (ratio to node:crypto raw ES256 verify = 1.00)

${opsTable(verifyRows, "node:crypto verify")}

"Raw" rows check only the signature over pre-split bytes; the JWT rows also parse the token and check \`alg\`, \`iss\`, \`aud\`, \`exp\`. Tessera's \`Verifier\` caches verified tokens (up to 1024, keyed on the signing input; claims re-checked on every hit), so its two distinct-token rows use a fresh \`Verifier\` for every timed pass (made outside the timing) and measure full verification; the "cache warm" row reuses one \`Verifier\` whose cache already holds all ${TOKENS} tokens. The two "repeat token" rows verify one token ${TOKENS} times (jose has no cache: its repeat row is the reference).

## Sign (ratio to node:crypto raw ES256 sign = 1.00)

${opsTable(signRows, "node:crypto sign")}

The JWT rows build the header and claims (Tessera adds \`iat\`, \`exp\`, \`iss\`, \`aud\` and a random 128-bit \`jti\`; the jose row sets the same, with a \`crypto.randomBytes\` jti). Raw rows sign pre-built signing inputs.

## Module size and cold start

| Measure | Median | Min–max |
| --- | --- | --- |
| \`pkg/dist/web/tessera_bg.wasm\` raw | ${fmtInt(size.raw)} bytes | |
| \`pkg/dist/web/tessera_bg.wasm\` gzip -9 (zlib level 9) | ${fmtInt(size.gzip)} bytes | |
| ${msRow("Tessera web build: `new WebAssembly.Module(bytes)` (compile)", coldStat("wasm", "compile")).join(" | ")} |
| ${msRow("Tessera web build: `initSync({ module })` (instantiate)", coldStat("wasm", "instantiate")).join(" | ")} |
| ${msRow("Tessera web build: compile + instantiate", coldStat("wasm", "compileInstantiate")).join(" | ")} |
| ${msRow("Tessera web build: first verified token (import glue + read + compile + instantiate + `new Verifier` + `verifySync`)", coldStat("wasm", "firstVerify")).join(" | ")} |
| ${msRow("Tessera `import \"tessera\"` (Node entry): first verified token (import + `new Verifier` + `verifySync`)", coldStat("tessera-auth", "firstVerify")).join(" | ")} |
| ${msRow("jose: first verified token (`import(\"jose\")` + `importJWK` + `jwtVerify`)", coldStat("jose", "firstVerify")).join(" | ")} |
| ${msRow("jose: `import(\"jose\")` alone", coldStat("jose", "import")).join(" | ")} |
| ${msRow("node:crypto: first raw verify (floor: import + `createPublicKey` + `crypto.verify`)", coldStat("node-crypto", "firstVerify")).join(" | ")} |
| ${msRow("Node process start → measurement start (context, not counted above)", coldStat("wasm", "processStartToT0")).join(" | ")} |

Each cold row is the median of ${COLD_RUNS} fresh \`node\` processes (modes interleaved); timers start at the child module's first statement, so module loading counts but Node's own boot does not.

## Refresh handshake in workerd (Miniflare, loopback HTTP from Node)

${table(
  ["Scenario", "Sessions (set-up time)", "Refreshes", "Seconds", "Median rotations/s", "Min–max rotations/s", "Ratio to workers-oauth-provider", "p50 latency", "p99 latency", "One in flight: refreshes, p50 / p99", "Errors"],
  handshakeRows.map((r) => [
    r.name,
    Number.isFinite(r.loginMs) ? `${r.sessions} (${fmtInt(r.loginMs)} ms)` : `${r.sessions} (no set-up)`,
    fmtInt(r.requests),
    r.seconds.toFixed(1),
    fmtInt(r.perSecond),
    fmtRange(r.minPerSecond, r.maxPerSecond),
    r.versus ? `${fmtRatio(r.versus.ratio)} (on ${r.versus.name})` : "",
    `${fmtMs(r.p50, 2)} ms`,
    `${fmtMs(r.p99, 2)} ms`,
    `${fmtInt(r.serialRequests)}: ${fmtMs(r.serialP50, 2)} / ${fmtMs(r.serialP99, 2)} ms`,
    String(r.errors),
  ]),
)}

${HANDSHAKE.sessions} sessions are set up first (not counted: Tessera logs each in; workers-oauth-provider runs each through \`/authorize\` with PKCE and the code exchange), then ${HANDSHAKE.warmup} untimed refreshes each. All five workers run at once and are driven in ${HANDSHAKE.rounds} interleaved rounds (order rotated per round), each round giving every scenario ${Math.ceil(HANDSHAKE.maxRequests / HANDSHAKE.rounds)} refreshes or ${HANDSHAKE.maxSeconds / HANDSHAKE.rounds} s, whichever comes first: each refresh sent with the session's latest credential, ${HANDSHAKE.concurrency} requests in flight (each session used by one request at a time). Rotations/s is the median over the rounds (min–max beside it); p50/p99 are over all timed refreshes of the row. After each scenario's throughput share, every round also sends it up to ${Math.ceil(HANDSHAKE.serialRequests / HANDSHAKE.rounds)} refreshes one at a time (same cap on seconds): the "one in flight" column, latency without queueing behind the driver's other requests. Tessera: \`POST /auth/refresh\` with the session cookie; every response must be 200 with a new cookie, and the latest access tokens of some sessions are then verified (RFC 9068 profile) against the worker's JWK Set. workers-oauth-provider ${version("@cloudflare/workers-oauth-provider")}: \`POST /oauth/token\` with \`grant_type=refresh_token\` (public client); every response must be 200 with a new refresh token, and some sessions' latest access tokens must then open the worker's API as their user. Its "in-isolate KV" is a small in-memory object with the KV methods it uses in the worker's global scope (bench/memory-kv.js), the counterpart of Tessera's MemoryStore; "Miniflare KV" is Miniflare's local KV namespace, the counterpart of the Durable Object store. The ratio column is a Tessera row's median rotations/s over its counterpart's, in this run. The trivial worker returns "ok" to the same requests: the floor of Miniflare + workerd + Node \`fetch\` on this machine. Node (the client) and workerd share the same ${nproc} cores.
`;

writeFileSync(new URL("RESULTS.md", import.meta.url), report);
console.log(report);
log("done");
