// Sizes as the issue "Three roles, three builds" counts them: gzip -9 of every file an entry loads
// (its .wasm and each JS file), summed, from the built package. The files are found by following
// the entry: every relative path literal ending in .js/.cjs/.mjs/.wasm that names an existing file
// under pkg/ (`export * from "../dist/…"`, `new URL("…_bg.wasm", import.meta.url)`,
// `import m from "./…_bg.wasm"`, `createRequire(…)("../dist/…/node.cjs")`, `${__dirname}/…_bg.wasm`),
// recursively. The list is printed with the sizes, so a reader can check it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants as zlib } from "node:zlib";
import { REPO } from "./lib.mjs";

const PKG = fileURLToPath(new URL("pkg/", REPO));

/**
 * Bytes of `gzip -9` output for `bytes`, as `gzip -9c file | wc -c` counts (scripts/build.sh; the
 * issue's unit). GNU gzip's deflate is not zlib's: zlib level 9 comes out ~1% larger on these
 * modules, so zlib serves only where no gzip binary exists (and the result says so).
 */
export function gzip9(bytes) {
  const r = spawnSync("gzip", ["-9c", "-n"], { input: bytes, maxBuffer: 1 << 28 });
  if (r.status === 0) return r.stdout.length;
  gzip9.fallback = true;
  return gzipSync(bytes, { level: zlib.Z_BEST_COMPRESSION }).length;
}

const LITERAL = /["'`](?:\$\{__dirname\}\/)?((?:\.{1,2}\/)?[\w@./-]+\.(?:m?js|cjs|wasm))["'`]/g;

/** The files `entry` (a path relative to pkg/) loads, itself first, each once. */
export function entryFiles(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.endsWith(".wasm")) return;
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(LITERAL)) {
      const target = resolve(dirname(file), spec);
      if (target.startsWith(PKG) && existsSync(target) && statSync(target).isFile()) visit(target);
    }
  };
  visit(resolve(PKG, entry));
  return [...seen];
}

/** { entry, files: [{ path (relative to pkg/), raw, gzip }], wasmGzip, jsGzip, total }. */
export function entrySize(entry) {
  const files = entryFiles(entry).map((file) => {
    const bytes = readFileSync(file);
    return { path: relative(PKG, file), raw: bytes.length, gzip: gzip9(bytes) };
  });
  const sum = (list) => list.reduce((a, f) => a + f.gzip, 0);
  const wasm = files.filter((f) => f.path.endsWith(".wasm"));
  const js = files.filter((f) => !f.path.endsWith(".wasm"));
  return { entry, files, wasmRaw: wasm.reduce((a, f) => a + f.raw, 0), wasmGzip: sum(wasm), jsGzip: sum(js), total: sum(files) };
}

/** The entries measured: per role its browser (the target), workerd and Node entries, and the root's browser entry. */
export const ENTRIES = [
  { role: "session", runtime: "browser, bundlers, Deno", entry: "session/web.js", target: true },
  { role: "verify", runtime: "browser, bundlers, Deno", entry: "verify/web.js", target: true },
  { role: "verify", runtime: "workerd", entry: "verify/workerd.js" },
  { role: "verify", runtime: "Node", entry: "verify/node.js" },
  { role: "authority", runtime: "browser, bundlers, Deno", entry: "authority/web.js", target: true },
  { role: "authority", runtime: "workerd", entry: "authority/workerd.js" },
  { role: "authority", runtime: "Node", entry: "authority/node.js" },
  { role: "root `tessera-auth`", runtime: "browser (authority + session)", entry: "index.js" },
];

/**
 * jose's `jwtVerify` + `createRemoteJWKSet`, bundled for browsers by esbuild (minified ESM) and
 * gzip -9: the "jose jwtVerify + remote JWK Set 7 KB" anchor, measured in this run.
 */
export async function joseBundleSize() {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: { contents: 'export { jwtVerify, createRemoteJWKSet } from "jose";', resolveDir: fileURLToPath(REPO), loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0].contents;
  return { raw: bytes.length, gzip: gzip9(bytes) };
}

/** Anchors quoted by the issue (minified + gzip of each library's browser bundle; not measured here). */
export const ANCHORS = [
  { name: "oidc-client-ts", kB: 17.9 },
  { name: "auth0-spa-js", kB: 19 },
  { name: "keycloak-js", kB: 11 },
  { name: "jose `jwtVerify` + remote JWK Set", kB: 7 },
];

// `node bench/sizes.mjs`: the size table alone.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { waitForDist } = await import("./lib.mjs");
  await waitForDist();
  for (const e of ENTRIES) {
    const s = entrySize(e.entry);
    console.log(`${e.role.padEnd(20)} ${e.runtime.padEnd(30)} wasm ${(s.wasmGzip / 1000).toFixed(1)} + JS ${(s.jsGzip / 1000).toFixed(1)} = ${(s.total / 1000).toFixed(1)} kB  (${s.files.map((f) => f.path).join(", ")})`);
  }
  const jose = await joseBundleSize();
  console.log(`jose jwtVerify + createRemoteJWKSet (esbuild, minified): ${(jose.gzip / 1000).toFixed(1)} kB gzip -9`);
}
