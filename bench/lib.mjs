// Small helpers shared by the benchmark scripts (statistics, formatting, waiting for pkg/dist).
import { existsSync } from "node:fs";

export const REPO = new URL("..", import.meta.url);
export const DIST_FILES = [
  "pkg/dist/nodejs/tessera.js",
  "pkg/dist/nodejs/tessera_bg.wasm",
  "pkg/dist/web/tessera.js",
  "pkg/dist/web/tessera_bg.wasm",
];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** pkg/dist may be rebuilt under us: wait (bounded) until every file the bench needs exists. */
export async function waitForDist(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = DIST_FILES.filter((f) => !existsSync(new URL(f, REPO)));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pkg/dist is incomplete (missing ${missing.join(", ")}); run ./scripts/build.sh`);
    console.error(`waiting for pkg/dist (missing ${missing.join(", ")}) ...`);
    await sleep(2000);
  }
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
