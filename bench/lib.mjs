// Small helpers shared by the benchmark scripts (statistics, formatting, ports, waiting for pkg/dist).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export const REPO = new URL("..", import.meta.url);
export const ROLES = ["session", "verify", "authority"];

/** Every built file the bench loads: each role's web bundle(s) and .wasm, and the Node builds. */
export const DIST_FILES = [
  "pkg/dist/session/web/index.js",
  "pkg/dist/session/web/tessera_session_bg.wasm",
  ...["verify", "authority"].flatMap((role) => [
    `pkg/dist/${role}/web/index.js`,
    `pkg/dist/${role}/web/workerd.js`,
    `pkg/dist/${role}/web/tessera_${role}_bg.wasm`,
    `pkg/dist/${role}/node.cjs`,
    `pkg/dist/${role}/tessera_${role}_bg.wasm`,
  ]),
];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** pkg/dist may be rebuilt under us: wait (bounded) until every file the bench needs exists. */
export async function waitForDist(timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = DIST_FILES.filter((f) => !existsSync(new URL(f, REPO)));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pkg/dist is incomplete (missing ${missing.join(", ")}); run ./scripts/build.sh`);
    console.error(`waiting for pkg/dist (missing ${missing.join(", ")}) ...`);
    await sleep(2000);
  }
}

/** One sha256 over every file in DIST_FILES (names and contents), to notice a rebuild mid-run. */
export function distHash() {
  const hash = createHash("sha256");
  try {
    for (const f of DIST_FILES) hash.update(f).update(readFileSync(new URL(f, REPO)));
  } catch {
    return "missing (rebuild in progress?)";
  }
  return hash.digest("hex");
}

/** A port that was free a moment ago on 127.0.0.1 (bound to 0, read, closed). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** { median, min, max } of `values`. */
export const stat = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });

/** Nearest-rank percentile, for latency samples. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export const fmtInt = (n) => (Number.isFinite(n) ? intFmt.format(Math.round(n)) : "n/a");
export const fmtMs = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const fmtRatio = (n) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");
/** Bytes as kB (1 kB = 1000 bytes, as scripts/build.sh and the targets count). */
export const fmtKB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1000).toFixed(1)} kB` : "n/a");

/** A markdown table from a header row and data rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Runs async `fn(item)` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}
