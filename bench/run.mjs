// Tessera benchmark: `npm run bench` (= node bench/run.mjs). Writes bench/RESULTS.md and prints it.
// Not part of ./scripts/test.sh. See bench/README.md for what each row measures.
//
// Groups (all by default; with any of these set, only the named groups run, each prints a short
// summary, and RESULTS.md is left alone):
//   BENCH_SIZE=1       sizes per role and entry (gzip -9 of each file the entry loads) + anchors
//   BENCH_VERIFY=1     verify and sign throughput tables (BENCH_QUICK=1 is the old name)
//   BENCH_ALGORITHMS=1 RS256, EdDSA and ES384 verification against jose, one table (same run)
//   BENCH_COLD=1       cold start: Node processes per role and entry, and the workerd first request
//   BENCH_WORKERD=1    the workerd first-request rows alone
//   BENCH_HANDSHAKE=1  the refresh handshake in workerd (Tessera vs workers-oauth-provider)
//   BENCH_DPOP_BROWSER=1  DPoP proof creation in Chromium (bench/dpop-browser.mjs)
import crypto from "node:crypto";
import os from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { REPO, waitForDist, distHash, median, stat, fmtInt, fmtMs, fmtRatio, fmtKB, table } from "./lib.mjs";
import { ANCHORS, ENTRIES, entrySize, joseBundleSize } from "./sizes.mjs";
import { handshakeBench } from "./handshake.mjs";
import { workerdColdBench } from "./workerd-cold.mjs";

// BENCH_SMOKE=1: every group with the smallest counts, the report printed but not written (to check
// the generator after an edit; its numbers mean nothing).
const SMOKE = Boolean(process.env.BENCH_SMOKE);
const TOKENS = 1000;
const ROUNDS = SMOKE ? 1 : 7;
const WARMUP = 300; // tokens per candidate before the timed rounds (JIT, caches, lazy init)
const CACHE_PASSES = SMOKE ? 1 : 10; // the cache rows run 10 × 1000 tokens per round: one pass lasts only a few ms
const COLD_RUNS = SMOKE ? 1 : 11; // fresh processes per cold-start mode
const WORKERD_RUNS = SMOKE ? 1 : 9; // fresh workerd isolates per worker
const HANDSHAKE = SMOKE
  ? { sessions: 10, concurrency: 2, maxRequests: 50, maxSeconds: 5, rounds: 1, warmup: 5, serialRequests: 10 }
  : { sessions: 50, concurrency: 8, maxRequests: 10000, maxSeconds: 20, rounds: 5, warmup: 100, serialRequests: 1000 }; // per scenario
const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";

const GROUPS = ["size", "verify", "algorithms", "cold", "workerd", "handshake", "dpopBrowser"];
const env = process.env;
const picked = {
  size: env.BENCH_SIZE,
  verify: env.BENCH_VERIFY || env.BENCH_QUICK,
  algorithms: env.BENCH_ALGORITHMS,
  cold: env.BENCH_COLD,
  workerd: env.BENCH_WORKERD || env.BENCH_COLD,
  handshake: env.BENCH_HANDSHAKE,
  dpopBrowser: env.BENCH_DPOP_BROWSER,
};
const subset = GROUPS.some((g) => picked[g]);
const runs = (group) => !subset || Boolean(picked[group]);

const startedAt = Date.now();
const loadAtStart = os.loadavg()[0];
const log = (msg) => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);

await waitForDist();
const distHashAtStart = distHash();
// The roles as users import them in Node: Verifier from tessera-auth/verify, Signer from
// tessera-auth/authority; the root (`tessera-auth`, in Node the authority build) for its Verifier.
const verifyPkg = await import("tessera-auth/verify");
const authorityPkg = await import("tessera-auth/authority");
const rootPkg = await import("tessera-auth");
const { Verifier } = verifyPkg;
const { Signer, generateKeyPair } = authorityPkg;
const jose = await import("jose");
const require = createRequire(import.meta.url);
const { createVerifier } = require("fast-jwt");
const jsonwebtoken = require("jsonwebtoken");

/** The handshake bench's check of a Tessera access token (RFC 9068 profile, right subject). */
function checkAccessToken(session, jwks, { issuer, audience }) {
  const claims = new Verifier({ jwks, issuer, audience, profile: "at+jwt" }).verifySync(session.accessToken);
  if (claims.sub !== session.username) throw new Error("handshake: access token for the wrong subject");
}

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

const results = { targets: [] };

// ---------------------------------------------------------------- sizes
if (runs("size")) {
  log("sizes");
  results.sizes = ENTRIES.map((e) => ({ ...e, ...entrySize(e.entry) }));
  results.joseBundle = await joseBundleSize();
}

// ---------------------------------------------------------------- verify and sign
if (runs("verify")) {
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

  const verifierOptions = { jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES256"] };
  const newVerifier = () => new Verifier(verifierOptions);
  const newRootVerifier = () => new rootPkg.Verifier(verifierOptions);
  const verifier = newVerifier(); // shared: the cache-warm and repeat-token rows
  const fastVerify = createVerifier({ key: pem, algorithms: ["ES256"], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: false });
  const jwtOptions = { algorithms: ["ES256"], issuer: ISSUER, audience: AUDIENCE };

  // A Signer that signs in Rust (wasm), as in Deno: the Node entry's native signer removed while
  // it is made, then put back as the entry installs it (pkg/src/entries/authority-node.js).
  const nodeBuild = require("tessera-auth/authority"); // dist/authority/node.cjs: the same instance
  nodeBuild.__setNativeSigner(null);
  const wasmSigner = new Signer({ privateJwk, issuer: ISSUER, audience: AUDIENCE });
  nodeBuild.__setNativeSigner({
    importKey: (jwk) => crypto.createPrivateKey({ key: jwk, format: "jwk" }),
    sign: (key, bytes) => crypto.sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" }),
  });

  // DPoP (issue 17): 100 clients, each with its own P-256 key; token i is bound to client i % 100
  // (cnf.jkt) and comes with a proof by that client for GET https://api.example/orders. Made
  // before timing; verified at the proofs' own time (`now`), each pass on a fresh Verifier (so its
  // replay cache is empty and the same proofs can serve every pass).
  log("making 100 DPoP client keys and one proof per token");
  const DPOP_URL = "https://api.example/orders";
  const dpopNow = Math.floor(Date.now() / 1000);
  const dpopClients = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const pair = await subtle.generateKey(ecdsa, true, ["sign", "verify"]);
      const { kty, crv, x, y } = await subtle.exportKey("jwk", pair.publicKey);
      const jwk = { kty, crv, x, y };
      return { pair, jwk, jkt: await jose.calculateJwkThumbprint(jwk) };
    }),
  );
  const dpopRequests = [];
  for (let i = 0; i < TOKENS; i++) {
    const client = dpopClients[i % dpopClients.length];
    const token = signer.signSync({ ...claimsFor(i), cnf: { jkt: client.jkt } }, { expiresIn: 3600, now: dpopNow });
    const ath = crypto.createHash("sha256").update(token).digest("base64url");
    const proof = await new jose.SignJWT({ jti: `bench-${i}`, htm: "GET", htu: DPOP_URL, iat: dpopNow, ath })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: client.jwk })
      .sign(client.pair.privateKey);
    dpopRequests.push({ method: "GET", url: DPOP_URL, headers: { authorization: `DPoP ${token}`, dpop: proof } });
  }
  const dpopOptions = { now: dpopNow };
  // ---------------------------------------------------------------- correctness checks (untimed)
  log("checking every token with jose, and every candidate on a valid and a tampered token");
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
    "Tessera root verifySync (fresh Verifier)": () => throws(() => newRootVerifier().verifySync(bad)),
    // DPoP: a proof by another client (the token's binding fails) and the same request twice.
    "Tessera verifyRequest (another client's proof)": () =>
      newVerifier()
        .verifyRequest({ ...dpopRequests[0], headers: { ...dpopRequests[0].headers, dpop: dpopRequests[1].headers.dpop } }, dpopOptions)
        .then(() => false, (e) => e.code === "ERR_INVALID_DPOP_PROOF" || e.code === "ERR_DPOP_BINDING"),
    "Tessera verifyRequest (a replayed proof)": async () => {
      const once = newVerifier();
      await once.verifyRequest(dpopRequests[3], dpopOptions);
      return once.verifyRequest(dpopRequests[3], dpopOptions).then(() => false, (e) => e.code === "ERR_DPOP_REPLAY");
    },
  };
  for (const [name, refuse] of Object.entries(refuses)) if (!(await refuse())) throw new Error(`${name} accepted a tampered token`);
  if (fastVerify(tokens[2]).n !== 2 || jsonwebtoken.verify(tokens[2], pem, jwtOptions).n !== 2) throw new Error("fast-jwt/jsonwebtoken");
  if (verifier.verifySync(tokens[2]).n !== 2 || (await verifier.verify(tokens[2])).n !== 2) throw new Error("Tessera");
  if (newRootVerifier().verifySync(wasmSigner.signSync({ sub: "w" })).sub !== "w") throw new Error("Tessera wasm signer");
  if (rootPkg.Verifier === Verifier) throw new Error("the root's Verifier is the verify build's: the extra row would measure nothing new");

  // ---------------------------------------------------------------- timed candidates
  // Each `run(count)` does `count` operations and returns how many succeeded (checked cheaply).
  // Tessera's Verifier keeps a cache of verified tokens (up to 1024, keyed on the signing input):
  // the distinct-token rows get a fresh Verifier (empty cache) before every timed pass, made
  // outside the timing, so each of the 1000 tokens is verified in full.
  const fresh = (make) => ({
    setup() {
      this.v?.free(); // release the previous pass's Verifier (and its cache) in wasm memory
      this.v = make();
    },
  });
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
    {
      key: "verify",
      name: "Tessera `tessera-auth/verify` `verifier.verify` (await each; fresh Verifier per pass)",
      ...fresh(newVerifier),
      async run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if ((await this.v.verify(tokens[i])).n === i) ok++;
        return ok;
      },
    },
    {
      key: "verifyRequestDpop",
      name: "Tessera `verifier.verifyRequest` with a DPoP proof (100 clients in rotation; await each; fresh Verifier per pass)",
      ...fresh(newVerifier),
      async run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if ((await this.v.verifyRequest(dpopRequests[i], dpopOptions)).n === i) ok++;
        return ok;
      },
    },
    {
      key: "verifySync",
      name: "Tessera `tessera-auth/verify` `verifier.verifySync` (fresh Verifier per pass)",
      ...fresh(newVerifier),
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (this.v.verifySync(tokens[i]).n === i) ok++;
        return ok;
      },
    },
    {
      key: "rootVerifySync",
      name: "Tessera root `tessera-auth` `verifySync` — the authority build, opt-level z (fresh Verifier per pass)",
      ...fresh(newRootVerifier),
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (this.v.verifySync(tokens[i]).n === i) ok++;
        return ok;
      },
    },
    {
      name: "Tessera `verifySync`, cache warm (same Verifier every pass: the 1000 tokens were seen before)",
      passes: CACHE_PASSES,
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (verifier.verifySync(tokens[i]).n === i) ok++;
        return ok;
      },
    },
    {
      key: "repeat",
      name: "Tessera repeat token (`verifySync`, same token, same Verifier)",
      passes: CACHE_PASSES,
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (verifier.verifySync(repeatToken).n === 0) ok++;
        return ok;
      },
    },
    {
      key: "joseRepeat",
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
      name: "Tessera `tessera-auth/authority` `signer.signSync(claims)` (node:crypto signs)",
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (signer.signSync(claimsFor(i), { expiresIn: 3600 }).length > 0) ok++;
        return ok;
      },
    },
    {
      name: "Tessera `tessera-auth/authority` `await signer.sign(claims)` (node:crypto signs)",
      async run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if ((await signer.sign(claimsFor(i), { expiresIn: 3600 })).length > 0) ok++;
        return ok;
      },
    },
    {
      name: "Tessera `signer.signSync(claims)`, Rust signer in wasm (as in Deno; the authority build)",
      run(count) {
        let ok = 0;
        for (let i = 0; i < count; i++) if (wasmSigner.signSync(claimsFor(i), { expiresIn: 3600 }).length > 0) ok++;
        return ok;
      },
    },
  ];

  results.verifyRows = await rounds("verify", verifyCandidates);
  results.signRows = await rounds("sign", signCandidates);
}
function throws(fn) {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

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
      const passes = c.passes ?? 1;
      const t0 = performance.now();
      let ok = 0;
      for (let p = 0; p < passes; p++) ok += await c.run(TOKENS);
      const seconds = (performance.now() - t0) / 1000;
      if (ok !== TOKENS * passes) throw new Error(`${c.name}: ${TOKENS * passes - ok} of ${TOKENS * passes} operations failed`);
      c.samples.push((TOKENS * passes) / seconds);
    }
  }
  const base = median(candidates.find((c) => c.baseline).samples);
  return candidates.map((c) => {
    const m = median(c.samples);
    return { key: c.key, name: c.name, median: m, min: Math.min(...c.samples), max: Math.max(...c.samples), ratio: m / base };
  });
}

// ---------------------------------------------------------------- RS256, EdDSA, ES384 (issue "Verify the tokens people already have")
// One table, one run: per algorithm node:crypto's raw verification, jose's jwtVerify and Tessera's
// verify/verifySync over the same 1000 distinct tokens (jose signs them), ratios to node:crypto's
// raw RS256 verify; the targets compare Tessera with jose on the same algorithm.
if (runs("algorithms")) {
  // A fresh Verifier (empty token cache) before every timed pass, made outside the timing.
  const fresh = (make) => ({
    setup() {
      this.v?.free();
      this.v = make();
    },
  });
  const algorithmCandidates = [];
  for (const [alg, nodeHash, options] of [
    ["RS256", "sha256", { modulusLength: 2048 }],
    ["EdDSA", null, {}],
    ["ES384", "sha384", {}],
  ]) {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...options });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: `bench-${alg}`, alg, use: "sig" };
    const nodeKey = crypto.createPublicKey({ key: jwk, format: "jwk" });
    const algTokens = [];
    for (let i = 0; i < TOKENS; i++) {
      algTokens.push(
        await new jose.SignJWT({ n: i, sub: `user-${i}` })
          .setProtectedHeader({ alg, kid: jwk.kid, typ: "at+jwt" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey),
      );
    }
    const algRaw = algTokens.map((t) => {
      const dot = t.lastIndexOf(".");
      return { data: Buffer.from(t.slice(0, dot)), sig: Buffer.from(t.slice(dot + 1), "base64url") };
    });
    const options2 = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] };
    const make = () => new Verifier({ jwks: { keys: [jwk] }, ...options2 });
    // Every candidate agrees on a valid and a tampered token before anything is timed.
    const bad = `${algTokens[1].split(".").slice(0, 2).join(".")}.${algTokens[2].split(".")[2]}`;
    if (make().verifySync(algTokens[1]).n !== 1 || !throws(() => make().verifySync(bad))) throw new Error(`Tessera ${alg}`);
    if ((await jose.jwtVerify(bad, publicKey, options2).then(() => true, () => false))) throw new Error(`jose ${alg}`);
    const dsa = alg === "ES384" ? { dsaEncoding: "ieee-p1363" } : {};
    algorithmCandidates.push(
      {
        key: `${alg}:raw`,
        baseline: alg === "RS256",
        name: `${alg} node:crypto \`crypto.verify\` raw`,
        run(count) {
          let ok = 0;
          for (let i = 0; i < count; i++) if (crypto.verify(nodeHash, algRaw[i].data, { key: nodeKey, ...dsa }, algRaw[i].sig)) ok++;
          return ok;
        },
      },
      {
        key: `${alg}:jose`,
        name: `${alg} jose \`jwtVerify\`, sequential`,
        async run(count) {
          let ok = 0;
          for (let i = 0; i < count; i++) if ((await jose.jwtVerify(algTokens[i], publicKey, options2)).payload.n === i) ok++;
          return ok;
        },
      },
      {
        key: `${alg}:verify`,
        name: `${alg} Tessera \`verifier.verify\` (await each; fresh Verifier per pass)`,
        ...fresh(make),
        async run(count) {
          let ok = 0;
          for (let i = 0; i < count; i++) if ((await this.v.verify(algTokens[i])).n === i) ok++;
          return ok;
        },
      },
      {
        key: `${alg}:verifySync`,
        name: `${alg} Tessera \`verifier.verifySync\` (pure Rust; fresh Verifier per pass)`,
        ...fresh(make),
        run(count) {
          let ok = 0;
          for (let i = 0; i < count; i++) if (this.v.verifySync(algTokens[i]).n === i) ok++;
          return ok;
        },
      },
    );
  }
  results.algorithmRows = await rounds("algorithms", algorithmCandidates);
}

// ---------------------------------------------------------------- cold start (fresh processes)
// key → [cold-child mode, node flags]. "import:verify:eager" is a diagnostic: V8 compiles every
// function inside `new WebAssembly.Module` instead of on its first call.
const COLD = {
  "web:session": ["web:session"],
  "web:verify": ["web:verify"],
  "web:authority": ["web:authority"],
  "import:verify": ["import:verify"],
  "require:verify": ["require:verify"],
  "import:root": ["import:root"],
  "import:verify:eager": ["import:verify", ["--no-wasm-lazy-compilation"]],
  jose: ["jose"],
  "node-crypto": ["node-crypto"],
};
const COLD_MODES = Object.keys(COLD);
if (runs("cold")) {
  log(`cold start: ${COLD_RUNS} fresh processes per mode`);
  const coldInput = JSON.stringify({ token: tokens[0], token2: tokens[1], publicJwk, issuer: ISSUER, audience: AUDIENCE });
  const samples = Object.fromEntries(COLD_MODES.map((m) => [m, []]));
  for (let r = 0; r < COLD_RUNS; r++) {
    for (let k = 0; k < COLD_MODES.length; k++) {
      const mode = COLD_MODES[(r + k) % COLD_MODES.length];
      let result;
      for (let attempt = 0; attempt < 3 && !result; attempt++) {
        const [childMode, flags = []] = COLD[mode];
        const child = spawnSync(process.execPath, [...flags, fileURLToPath(new URL("cold-child.mjs", import.meta.url)), childMode], {
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
      samples[mode].push(result);
    }
  }
  results.cold = (mode, key) => stat(samples[mode].map((x) => x[key]));
}

// ---------------------------------------------------------------- workerd: a fresh isolate's first request
if (runs("workerd")) {
  log(`workerd first request: ${WORKERD_RUNS} fresh isolates per worker`);
  results.workerd = await workerdColdBench({ samples: WORKERD_RUNS, token: tokens[0], publicJwk, issuer: ISSUER, audience: AUDIENCE, subject: "user-0", log });
}

// ---------------------------------------------------------------- handshake in workerd
if (runs("handshake")) {
  log("handshake in workerd (Miniflare), loopback HTTP");
  results.handshakeRows = await handshakeBench({ privateJwk, params: HANDSHAKE, check: checkAccessToken });
}

// ---------------------------------------------------------------- DPoP proofs in Chromium
if (runs("dpopBrowser")) {
  log("DPoP proof creation in Chromium");
  const { measureProofs } = await import("./dpop-browser.mjs");
  results.dpopBrowser = await measureProofs(SMOKE ? 50 : 1000);
}

// ---------------------------------------------------------------- targets (issue "Three roles, three builds")
const KB = 1000;
/** A target row: `value` against `limit` (`atMost`: lower is better, else higher is better). */
function target(what, value, limit, { atMost = true, unit, fmt, stretch } = {}) {
  const met = atMost ? value <= limit : value >= limit;
  const by = atMost ? value - limit : limit - value;
  let verdict = met ? "met" : `**missed** by ${fmt(by)} ${unit} (${((by / limit) * 100).toFixed(0)}%)`;
  if (met && stretch !== undefined) verdict += atMost ? (value <= stretch ? `; stretch (≤ ${fmt(stretch)} ${unit}) met` : `; stretch (≤ ${fmt(stretch)} ${unit}) missed by ${fmt(value - stretch)} ${unit}`) : "";
  results.targets.push([what, `${atMost ? "≤" : "≥"} ${fmt(limit)} ${unit}`, `${fmt(value)} ${unit}`, verdict]);
}
const kb = (n) => n.toFixed(1);
const ms = (n) => n.toFixed(1);
const x = (n) => n.toFixed(2);
const sizeOf = (entry) => results.sizes?.find((s) => s.entry === entry)?.total;
if (results.sizes) {
  target("session: gzip -9 of wasm + JS the browser entry loads", sizeOf("session/web.js") / KB, 25, { unit: "kB", fmt: kb, stretch: 18 });
  target("verify: gzip -9 of wasm + JS the browser entry loads", sizeOf("verify/web.js") / KB, 100, { unit: "kB", fmt: kb });
  target("authority: gzip -9 of wasm + JS the browser entry loads", sizeOf("authority/web.js") / KB, 200, { unit: "kB", fmt: kb });
}
if (results.cold) {
  target("verify: compile + instantiate of its wasm (web build, median of fresh Node processes)", results.cold("web:verify", "compileInstantiate").median, 2, { unit: "ms", fmt: ms });
  target('verify: first verified token, `import "tessera-auth/verify"`, fresh Node process', results.cold("import:verify", "firstVerify").median, 8, { unit: "ms", fmt: ms });
  target('verify: first verified token, `require("tessera-auth/verify")`, fresh Node process', results.cold("require:verify", "firstVerify").median, 8, { unit: "ms", fmt: ms });
}
if (results.workerd) {
  target("workerd: fresh isolate's first request verifying a token, above the trivial worker's", results.workerd.rows.verify.first.diff.median, 10, { unit: "ms", fmt: ms });
}
if (results.algorithmRows) {
  const versusJose = (key) => {
    const [alg] = key.split(":");
    return results.algorithmRows.find((r) => r.key === key).median / results.algorithmRows.find((r) => r.key === `${alg}:jose`).median;
  };
  target("RS256 `verify` / jose `jwtVerify` RS256", versusJose("RS256:verify"), 1.2, { atMost: false, unit: "×", fmt: x });
  target("RS256 `verifySync` (pure Rust) / jose `jwtVerify` RS256", versusJose("RS256:verifySync"), 0.5, { atMost: false, unit: "×", fmt: x });
  target("EdDSA `verifySync` / jose `jwtVerify` EdDSA", versusJose("EdDSA:verifySync"), 1.0, { atMost: false, unit: "×", fmt: x });
  target("ES384 `verifySync` / jose `jwtVerify` ES384", versusJose("ES384:verifySync"), 1.0, { atMost: false, unit: "×", fmt: x });
}
if (results.dpopBrowser) {
  target("DPoP proof creation in Chromium, median (performance.now() is coarsened to 0.1 ms there)", results.dpopBrowser.median, 1, { unit: "ms", fmt: ms });
}
if (results.verifyRows) {
  const row = (key) => results.verifyRows.find((r) => r.key === key);
  target("fresh-token `verify` / node:crypto raw verify", row("verify").ratio, 0.9, { atMost: false, unit: "×", fmt: x });
  target("fresh-token `verifySync` / node:crypto raw verify", row("verifySync").ratio, 0.9, { atMost: false, unit: "×", fmt: x });
  target("repeat token: Tessera `verifySync` / jose `jwtVerify`", row("repeat").median / row("joseRepeat").median, 50, { atMost: false, unit: "×", fmt: (n) => n.toFixed(1) });
  target("DPoP: `verifyRequest` with a proof (100 clients) / plain `verify`", row("verifyRequestDpop").median / row("verify").median, 0.4, { atMost: false, unit: "×", fmt: x });
}

// ---------------------------------------------------------------- report
const distHashAtEnd = distHash();
const fmtRange = (min, max) => `${fmtInt(min)}–${fmtInt(max)}`;
const opsTable = (rows, baseName) =>
  table(
    ["Candidate", "Median ops/s", "Min–max ops/s", `Ratio to ${baseName}`],
    rows.map((r) => [r.name, fmtInt(r.median), fmtRange(r.min, r.max), fmtRatio(r.ratio)]),
  );
const msCell = (s) => `${fmtMs(s.median)} ms (${fmtMs(s.min)}–${fmtMs(s.max)})`;

if (subset) {
  for (const [what, limit, value, verdict] of results.targets) console.log(`target ${limit.padEnd(10)} ${value.padEnd(10)} ${verdict}  ${what}`);
  if (results.sizes) for (const s of results.sizes) console.log(`size ${fmtKB(s.total).padStart(9)} = wasm ${fmtKB(s.wasmGzip)} + JS ${fmtKB(s.jsGzip)}  ${s.role} (${s.runtime}): ${s.files.map((f) => f.path).join(", ")}`);
  if (results.joseBundle) console.log(`size ${fmtKB(results.joseBundle.gzip).padStart(9)}  jose jwtVerify + createRemoteJWKSet (esbuild, minified)`);
  for (const r of [...(results.verifyRows ?? []), ...(results.signRows ?? []), ...(results.algorithmRows ?? [])]) console.log(`${fmtRatio(r.ratio)}  ${fmtInt(r.median)} ops/s  ${r.name}`);
  if (results.cold)
    for (const mode of COLD_MODES)
      console.log(`cold ${mode.padEnd(19)} first token ${msCell(results.cold(mode, "firstVerify"))}  import ${msCell(results.cold(mode, "import"))}  compile ${msCell(results.cold(mode, "compile"))}  instantiate ${msCell(results.cold(mode, "instantiate"))}  new Verifier ${msCell(results.cold(mode, "newVerifier"))}  first verify ${msCell(results.cold(mode, "verifyFirst"))}  second ${msCell(results.cold(mode, "verifySecond"))}`);
  if (results.workerd) for (const row of Object.values(results.workerd.rows)) console.log(`workerd ready ${msCell(row.ready)}  first ${msCell(row.first)} (+${fmtMs(row.first.diff.median)})  warm ${msCell(row.warm)}  ${row.label}`);
  for (const r of results.handshakeRows ?? []) {
    const ratio = r.versus ? `${fmtRatio(r.versus.ratio)} on ${r.versus.name}` : "";
    console.log(`${fmtInt(r.perSecond)}/s (${fmtInt(r.minPerSecond)}–${fmtInt(r.maxPerSecond)}) ${ratio}  p99 ${fmtMs(r.p99, 2)} ms, one in flight p99 ${fmtMs(r.serialP99, 2)} ms  ${r.name}`);
  }
  if (distHashAtEnd !== distHashAtStart) console.log("pkg/dist changed during the run: results mix two builds");
  process.exit(0);
}

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
const dirty = git(["status", "--porcelain", "--", "src", "pkg", "Cargo.toml", "Cargo.lock", "scripts"]) ? " (uncommitted changes in src/, pkg/, scripts/ or Cargo.*)" : "";
const version = (name) => require(`${name}/package.json`).version;
const cold = results.cold;
const wd = results.workerd;

const sizeRows = results.sizes.map((s) => [
  `${s.target ? "**" : ""}${s.role}${s.target ? "**" : ""}`,
  s.runtime,
  `\`${s.entry}\``,
  `${fmtInt(s.wasmRaw)} bytes`,
  fmtKB(s.wasmGzip),
  fmtKB(s.jsGzip),
  `${s.target ? "**" : ""}${fmtKB(s.total)}${s.target ? "**" : ""}`,
  s.files.map((f) => `${f.path.replace(/^dist\//, "dist/")} ${fmtKB(f.gzip)}`).join(", "),
]);
const anchorRows = [
  ...ANCHORS.map((a) => [a.name, `${a.kB} kB`, "quoted by the issue (minified + gzip, the library's browser bundle)"]),
  ["jose `jwtVerify` + `createRemoteJWKSet`", fmtKB(results.joseBundle.gzip), `measured in this run: esbuild bundle (minified ESM, browser) of jose ${version("jose")}, gzip -9 (${fmtInt(results.joseBundle.raw)} bytes minified)`],
];

const report = `# Tessera benchmark results

Generated by \`npm run bench\` (\`node bench/run.mjs\`) on ${new Date(startedAt).toISOString()}.

* Node ${process.version} · CPU: ${cpu} · \`nproc\`: ${nproc} · ${os.platform()} ${os.release()}
* Tessera at git ${head}${dirty}; built package \`pkg/dist\` (every .wasm and bundle the bench loads) sha256 ${distHashAtStart.slice(0, 16)}…${distHashAtEnd === distHashAtStart ? "" : ` — **changed during the run** (now ${distHashAtEnd.slice(0, 16)}…): results mix two builds`}
* jose ${version("jose")} · fast-jwt ${version("fast-jwt")} · jsonwebtoken ${version("jsonwebtoken")} · miniflare ${version("miniflare")} (workerd ${version("workerd")}) · @cloudflare/workers-oauth-provider ${version("@cloudflare/workers-oauth-provider")} · esbuild ${version("esbuild")}
* ${TOKENS} distinct ES256 tokens (one P-256 key, iss/aud/exp/iat/jti, different \`sub\`/\`n\`/\`jti\`), signed by Tessera and checked by jose.
* Shared, noisy ${nproc}-core machine: 1-minute load average ${loadAtStart.toFixed(2)} just before the run (${loadAtStart > 0.7 ? "**other work was running**" : "mostly idle"}), ${os.loadavg()[0].toFixed(2)} at the end (includes this run). Compare ratios within this run, not absolute numbers across runs.

## Targets (issue "Three roles, three builds")

${table(["Target", "Limit", "This run", "Verdict"], results.targets)}

Sizes in kB of 1000 bytes (as \`scripts/build.sh\` prints them). Cold rows are medians of fresh processes or isolates; see the sections below for their spread.

## Size per role (gzip -9 of each file the entry loads: wasm + JS)

${table(["Role", "Runtime", "Entry (pkg/)", "wasm raw", "wasm gzip -9", "JS gzip -9", "Total gzip -9", "Files the entry loads (gzip -9 each)"], sizeRows)}

The files are found by following the entry from \`pkg/\` (its imports, re-exports, \`require\`, \`new URL("…_bg.wasm", import.meta.url)\` and \`import … from "…_bg.wasm"\`), each gzipped alone with GNU \`gzip -9 -n\` (as \`scripts/build.sh\` counts, less the file name it stores in the header) and summed. Bold rows are the ones the targets apply to. The Node rows are for reference (nothing is downloaded there).

Anchors (what a browser page ships for a comparable job):

${table(["Library", "gzip", "Source"], anchorRows)}

## Verify (ratio to node:crypto raw ES256 verify = 1.00)

${ROUNDS} interleaved rounds (each round runs every candidate once over all ${TOKENS} tokens, order rotated per round; the two cache rows ${CACHE_PASSES} times over, since one pass of theirs lasts only a few milliseconds) after a ${WARMUP}-operation warm-up; ops/s per round, median and min–max over rounds.

${opsTable(results.verifyRows, "node:crypto verify")}

"Raw" rows check only the signature over pre-split bytes; the JWT rows also parse the token and check \`alg\`, \`iss\`, \`aud\`, \`exp\`. \`Verifier\` comes from \`tessera-auth/verify\` (the verify build: ES256 arithmetic at opt-level 3, the rest for size) except in the "root" row: \`import { Verifier } from "tessera-auth"\`, which in Node is the authority build (opt-level z, smaller and slower). Tessera's \`Verifier\` caches verified tokens (up to 1024, keyed on the signing input; claims re-checked on every hit), so its distinct-token rows use a fresh \`Verifier\` for every timed pass (made outside the timing) and measure full verification; the "cache warm" row reuses one \`Verifier\` whose cache already holds all ${TOKENS} tokens. The two "repeat token" rows verify one token ${TOKENS} times (jose has no cache: its repeat row is the reference).

## RS256, EdDSA and ES384 (ratio to node:crypto raw RS256 verify = 1.00)

The same rounds, over ${TOKENS} distinct tokens per algorithm signed by jose (RSA 2048 bits, Ed25519, P-384); the targets compare each Tessera row with jose's row of the same algorithm.

${opsTable(results.algorithmRows, "node:crypto RS256 verify")}

## Sign (ratio to node:crypto raw ES256 sign = 1.00)

${opsTable(results.signRows, "node:crypto sign")}

\`Signer\` comes from \`tessera-auth/authority\`. The JWT rows build the header and claims (Tessera adds \`iat\`, \`exp\`, \`iss\`, \`aud\` and a random 128-bit \`jti\`; the jose row sets the same, with a \`crypto.randomBytes\` jti). Raw rows sign pre-built signing inputs. Tessera's Node entry signs with node:crypto (the claims, header and \`jti\` are built in wasm); the last row is a \`Signer\` made while that native signer was removed, so it signs in Rust (what Deno uses).

## Cold start, per role (fresh Node processes)

Each cold row is the median (min–max) of ${COLD_RUNS} fresh \`node\` processes, the modes interleaved; timers start at the child module's first statement, so module loading counts but Node's own boot does not (${msCell(cold("import:verify", "processStartToT0"))} from process start to that statement, not counted).

Compile and instantiate of each role's web build, through its own entry (\`pkg/<role>/web.js\`, run in Node with the glue's \`fetch\` of the .wasm answered from disk; \`new WebAssembly.Module\` and \`new WebAssembly.Instance\` timed by wrapping the two constructors):

${table(
  ["Role", "wasm raw", "Compile", "Instantiate", "Compile + instantiate", "Entry imported (module ready)", "First verified token through the web entry"],
  ["session", "verify", "authority"].map((role) => [
    role,
    results.sizes ? `${fmtInt(results.sizes.find((s) => s.entry === `${role}/web.js`).wasmRaw)} bytes` : "",
    msCell(cold(`web:${role}`, "compile")),
    msCell(cold(`web:${role}`, "instantiate")),
    msCell(cold(`web:${role}`, "compileInstantiate")),
    msCell(cold(`web:${role}`, "import")),
    role === "session" ? "(no verifier in this build)" : msCell(cold(`web:${role}`, "firstVerify")),
  ]),
)}

First verified token through the package's Node entries (\`new Verifier({ jwks, issuer, audience, algorithms })\` + \`verifySync\`), and jose in the same run:

${table(
  ["Entry", "First verified token", "Of which: import / require", "Of which: compile + instantiate (inside the import)", "Of which: `new Verifier` (jose: `importJWK`)", "Of which: first `verifySync` (jose: `jwtVerify`)", "Then: a second token (not counted)"],
  [
    ['`import "tessera-auth/verify"` (ESM entry → `dist/verify/node.cjs`)', "import:verify"],
    ['`require("tessera-auth/verify")` (`dist/verify/node.cjs`)', "require:verify"],
    ['`import "tessera-auth"` (root: the authority build, opt-level z)', "import:root"],
    ['Diagnostic: `import "tessera-auth/verify"` under `node --no-wasm-lazy-compilation` (every function compiled inside `new WebAssembly.Module`)', "import:verify:eager"],
    ['jose: `import("jose")` + `importJWK` + `jwtVerify`', "jose"],
  ].map(([label, mode]) => [
    label,
    `**${msCell(cold(mode, "firstVerify"))}**`,
    msCell(cold(mode, "import")),
    mode === "jose" ? "(no wasm)" : msCell(cold(mode, "compileInstantiate")),
    msCell(cold(mode, "newVerifier")),
    msCell(cold(mode, "verifyFirst")),
    msCell(cold(mode, "verifySecond")),
  ]).concat([["node:crypto: `createPublicKey` + `crypto.verify` (floor: signature only)", `**${msCell(cold("node-crypto", "firstVerify"))}**`, msCell(cold("node-crypto", "import")), "(no wasm)", "", "", ""]]),
)}

Node 20's V8 (${process.versions.v8}) compiles wasm lazily (\`--wasm-lazy-compilation\` is its default): \`new WebAssembly.Module\` decodes and validates the module, and each function is compiled on its first call, inside the first \`new Verifier\` and \`verifySync\`. The diagnostic row turns that off: compilation then happens inside the import, and what is left in \`new Verifier\` and the first \`verifySync\` is the work itself. The first tokens of a key take the plain path, without tables (the fixed-base tables are built from a key's third token on, crates/curves/src/weierstrass/precomputed.rs); the last column is a second, different token on the same \`Verifier\` right after: the same plain path with its functions compiled, though V8 may still run them as baseline (Liftoff) code until it tiers hot ones up.

## Cold start in workerd: a fresh isolate's first request

${table(
  ["Worker", "Miniflare start → ready (start-up, global scope)", "First request", "First request above the trivial worker's (difference of medians; median of per-round differences)", "Warm request (best of the 2nd and 3rd)"],
  Object.values(wd.rows).map((row, i) => [
    row.label,
    msCell(row.ready),
    msCell(row.first),
    i === 0 ? "" : `${row.label.includes("target") ? "**" : ""}${fmtMs(row.first.diff.median)} ms${row.label.includes("target") ? "**" : ""}; ${fmtMs(row.first.diff.pairMedian)} ms`,
    msCell(row.warm),
  ]),
)}

Median (min–max) over ${wd.samples} fresh workerd processes per worker (Miniflare, one worker each; every round starts each worker once, the order rotated per round, after one untimed round). All verify rows import \`tessera-auth/verify\` through its workerd entry (\`pkg/verify/workerd.js\`: workerd hands it the \`.wasm\` as a compiled module and it calls \`initSync\` at global scope) and differ only in how far their first request goes (the \`STEP\` var of \`bench/worker-verify.js\`). Node sends the requests over loopback HTTP to Miniflare's entry worker, which forwards them; each time runs to the end of the response body. workerd runs a worker's global scope while it starts, before it reports ready: module compilation and instantiation fall in the first column, not in the first request (compare the STEP=import row's first request with the trivial worker's).

## Refresh handshake in workerd (Miniflare, loopback HTTP from Node)

${table(
  ["Scenario", "Sessions (set-up time)", "Refreshes", "Seconds", "Median rotations/s", "Min–max rotations/s", "Ratio to workers-oauth-provider", "p50 latency", "p99 latency", "One in flight: refreshes, p50 / p99", "Errors"],
  results.handshakeRows.map((r) => [
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

The Tessera workers import \`tessera-auth/authority\` (workerd entry, \`pkg/authority/workerd.js\`) and \`tessera-auth/durable-object\`. ${HANDSHAKE.sessions} sessions are set up first (not counted: Tessera logs each in; workers-oauth-provider runs each through \`/authorize\` with PKCE and the code exchange), then ${HANDSHAKE.warmup} untimed refreshes each. All five workers run at once and are driven in ${HANDSHAKE.rounds} interleaved rounds (order rotated per round), each round giving every scenario ${Math.ceil(HANDSHAKE.maxRequests / HANDSHAKE.rounds)} refreshes or ${HANDSHAKE.maxSeconds / HANDSHAKE.rounds} s, whichever comes first: each refresh sent with the session's latest credential, ${HANDSHAKE.concurrency} requests in flight (each session used by one request at a time). Rotations/s is the median over the rounds (min–max beside it); p50/p99 are over all timed refreshes of the row. After each scenario's throughput share, every round also sends it up to ${Math.ceil(HANDSHAKE.serialRequests / HANDSHAKE.rounds)} refreshes one at a time (same cap on seconds): the "one in flight" column, latency without queueing behind the driver's other requests. Tessera: \`POST /auth/refresh\` with the session cookie; every response must be 200 with a new cookie, and the latest access tokens of some sessions are then verified (RFC 9068 profile) against the worker's JWK Set. workers-oauth-provider ${version("@cloudflare/workers-oauth-provider")}: \`POST /oauth/token\` with \`grant_type=refresh_token\` (public client); every response must be 200 with a new refresh token, and some sessions' latest access tokens must then open the worker's API as their user. Its "in-isolate KV" is a small in-memory object with the KV methods it uses in the worker's global scope (bench/memory-kv.js), the counterpart of Tessera's MemoryStore; "Miniflare KV" is Miniflare's local KV namespace, the counterpart of the Durable Object store. The ratio column is a Tessera row's median rotations/s over its counterpart's, in this run. The trivial worker returns "ok" to the same requests: the floor of Miniflare + workerd + Node \`fetch\` on this machine. Node (the client) and workerd share the same ${nproc} cores.
`;

if (!SMOKE) writeFileSync(new URL("RESULTS.md", import.meta.url), report);
console.log(report);
log("done");
