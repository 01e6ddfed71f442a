// A fresh workerd isolate's first request: Miniflare starts workerd with one worker (its own
// process, so its own isolate), Node sends the first request over loopback HTTP and times it to the
// end of the response body; then two more requests on the now-warm isolate. Workers:
//   worker-verify.js  verifies the bearer token with tessera-auth/verify (workerd entry); with
//                     STEP=import or construct it stops early, to split the first request's cost
//   worker-ok.js      answers "ok" (the floor: Miniflare's entry worker + workerd + Node's fetch)
// Each round starts every worker once (order rotated per round), after one untimed round.
//
//   node bench/workerd-cold.mjs [rounds]     prints the rows (it makes its own key and token)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, median, stat, waitForDist } from "./lib.mjs";
import { workerdOptions } from "../scripts/workerd.mjs";

const REQUEST_TIMEOUT_MS = 30_000;

async function once(file, { bindings, token, expected }) {
  const { Miniflare } = await import("miniflare");
  await waitForDist();
  const port = await freePort();
  const started = performance.now();
  const mf = new Miniflare(workerdOptions(new URL(file, import.meta.url), { port, bindings }));
  try {
    await mf.ready;
    const ready = performance.now() - started;
    const request = async () => {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200 || body !== expected) throw new Error(`${file}: status ${res.status} ${body}`);
      return ms;
    };
    const first = await request();
    const second = await request();
    const third = await request();
    return { ready, first, warm: Math.min(second, third) };
  } finally {
    await mf.dispose();
  }
}

/** The workers, each in its own fresh workerd per sample: the trivial floor, then the verify worker
 * stopped after each step of its first request (worker-verify.js, STEP). */
export const WORKERS = [
  { key: "trivial", file: "./worker-ok.js", label: 'worker-ok.js: returns "ok" (the floor)' },
  { key: "import", file: "./worker-verify.js", step: "import", label: "worker-verify.js, STEP=import: module loaded and instantiated at start-up; answers \"ok\"" },
  { key: "construct", file: "./worker-verify.js", step: "construct", label: "worker-verify.js, STEP=construct: + `new Verifier({ jwks, issuer, audience, algorithms })`; answers \"ok\"" },
  { key: "verify", file: "./worker-verify.js", step: "verify", label: "worker-verify.js: + `await verifier.verify(bearer token)`; answers its `sub` (the target row)" },
];

/**
 * `samples` fresh isolates per worker. `token` must verify against `publicJwk` with `issuer` and
 * `audience`, and have `sub` = `subject`. Returns { samples, rows: { key: { label, ready, first,
 * warm, diff } } }: stat() of each measure, and diff (this worker − the trivial worker): the
 * difference of the medians and the median of the per-round differences, per measure.
 */
export async function workerdColdBench({ samples, token, publicJwk, issuer, audience, subject, log = () => {} }) {
  const bindings = { JWKS: JSON.stringify({ keys: [publicJwk] }), ISSUER: issuer, AUDIENCE: audience };
  const runs = Object.fromEntries(WORKERS.map((w) => [w.key, []]));
  for (let i = -1; i < samples; i++) {
    if (i >= 0) log(`workerd cold start: round ${i + 1}/${samples}`);
    // Rotate the order every round, so no worker always follows another.
    for (let k = 0; k < WORKERS.length; k++) {
      const w = WORKERS[(Math.max(i, 0) + k) % WORKERS.length];
      const result = await once(w.file, {
        bindings: w.step ? { ...bindings, STEP: w.step } : {},
        token,
        expected: w.step === "verify" ? subject : "ok",
      });
      if (i >= 0) runs[w.key].push(result); // round -1 warms Node's fetch, Miniflare and the disk cache
    }
  }
  const measures = ["ready", "first", "warm"];
  const rows = {};
  for (const w of WORKERS) {
    const row = { label: w.label };
    for (const m of measures) {
      const values = runs[w.key].map((r) => r[m]);
      const floor = runs.trivial.map((r) => r[m]);
      row[m] = stat(values);
      row[m].diff = { median: median(values) - median(floor), pairMedian: median(values.map((v, j) => v - floor[j])) };
    }
    rows[w.key] = row;
  }
  return { samples, rows };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await waitForDist();
  const { Signer, generateKeyPair } = await import("tessera-auth/authority");
  const issuer = "https://auth.example";
  const audience = "https://api.example";
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "cold" });
  const token = new Signer({ privateJwk, issuer, audience }).signSync({ sub: "user-1" }, { expiresIn: 3600 });
  const r = await workerdColdBench({ samples: Number(process.argv[2] ?? 7), token, publicJwk, issuer, audience, subject: "user-1", log: console.error });
  const cell = (x) => `${x.median.toFixed(1)} ms (${x.min.toFixed(1)}–${x.max.toFixed(1)}), +${x.diff.median.toFixed(1)}`;
  for (const row of Object.values(r.rows)) console.log(`ready ${cell(row.ready)}  first ${cell(row.first)}  warm ${cell(row.warm)}  ${row.label}`);
}
