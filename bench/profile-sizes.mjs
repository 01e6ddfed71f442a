// Size profile of each role's WebAssembly build (twiggy), with function names kept.
//
//   node bench/profile-sizes.mjs [session|verify|authority ...] [--top N] [--rev <commit>] [--markdown]
//
// For each role it repeats scripts/build.sh's steps for the web target (the cargo profile and the
// wasm-opt level are read from scripts/build.sh's `build_role` lines) with one difference: wasm-opt
// runs with -g, so the function names survive (build.sh's wasm-opt drops the name section; the code
// is the same, names do not change optimisation). Everything goes to temp directories: cargo's
// target dir is $PROFILE_TARGET_DIR or <tmp>/tessera-size-profile (kept, so a second run is
// incremental), the outputs a fresh <tmp>/tessera-profile-XXXX; pkg/ and target/ are untouched.
// --rev builds a clean export of that commit (git archive) instead of the working tree.
//
// Prints per role: the size of the profiled module without its name section next to the shipped
// pkg/dist/<role>/web/ module (they match when pkg/dist was built from the same source), twiggy's
// top items by shallow size, and a summary grouped by crate (tessera by module): bytes of
// functions and data, share of the module. Sizes are raw bytes of the module (gzip shrinks code
// by about 2.3×, roughly alike across groups).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants as zlib } from "node:zlib";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const top = Number(flag("--top", 15));
const rev = flag("--rev", undefined);
const markdown = args.includes("--markdown") ? (args.splice(args.indexOf("--markdown"), 1), true) : false;
const roles = args.length ? args : ["session", "verify", "authority"];

const twiggy = existsSync(join(homedir(), ".cargo/bin/twiggy")) ? join(homedir(), ".cargo/bin/twiggy") : "twiggy";
const wasmOpt = join(REPO, "node_modules/.bin/wasm-opt");
const FEATURES = "--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals".split(" ");

// `build_role <role>[,<extra feature>...] <profile> <wasm-opt level> <targets...>` in scripts/build.sh.
const buildSh = readFileSync(join(REPO, "scripts/build.sh"), "utf8");
const recipe = Object.fromEntries(
  [...buildSh.matchAll(/^build_role ((\w+)[\w,-]*) (\w+) (-O\w*)/gm)].map(([, features, role, profile, level]) => [
    role,
    { features, profile, level },
  ]),
);

const run = (cmd, argv, options = {}) => {
  const r = spawnSync(cmd, argv, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 28, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed (${r.status ?? r.error})`);
  return r.stdout;
};

const out = mkdtempSync(join(tmpdir(), "tessera-profile-"));
const targetDir = process.env.PROFILE_TARGET_DIR ?? join(tmpdir(), "tessera-size-profile");
let source = REPO;
let label = "working tree";
if (rev) {
  source = join(out, "src");
  execFileSync("mkdir", ["-p", source]);
  execFileSync("sh", ["-c", `git -C "${REPO}" archive "${rev}" | tar -x -C "${source}"`]);
  label = `git ${execFileSync("git", ["-C", REPO, "rev-parse", "--short", rev], { encoding: "utf8" }).trim()}`;
} else {
  const head = execFileSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["-C", REPO, "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"], { encoding: "utf8" }).trim();
  label = `working tree at git ${head}${dirty ? " (with uncommitted changes in src/ or Cargo.*)" : ""}`;
}

/** The group of a twiggy item: a crate (tessera by module), or a kind of non-function item. */
function groupOf(name, exports) {
  name = name.replace(/\[[0-9a-f]{16}\]/g, ""); // crate disambiguators: core[c5930c85a12de822]::
  if (/subsection$|^custom section 'name'/.test(name)) return NAME_SECTION;
  if (/^custom section/.test(name)) return "(custom sections: producers, target_features)";
  if (/^data segment/.test(name)) return "(data segments: constants, tables, strings)";
  if (/^(type\[|export "|import |global\[|table\[|memory\[|elem|start|wasm magic bytes)|headers$|^__stackPointer$/.test(name))
    return "(wasm structure: types, imports, exports, globals, headers)";
  if (/^code\[\d+\]$/.test(name)) return "(unnamed functions)";
  // wasm-bindgen's generated exports wrap the Rust export of the same name, whose body wasm-opt
  // inlines into them: they count as the binding layer (src/wasm/), with what they inlined.
  const bare = name.replace(/( (externref|multivalue) shim)+$/, "");
  if (exports.has(bare) && !/^__/.test(bare)) return "tessera::wasm (exports, with the Rust bodies inlined into them)";
  if (/^(__wbindgen_|__wbg_|__externref_|__instance_terminated)|externref shim$/.test(name)) return "wasm-bindgen (runtime: allocator exports, externref table)";
  if (/^__rustc::__r(ust|dl)_/.test(name)) return "alloc";
  if (/^(mem(cpy|move|set|cmp)|bcmp|fmin|fmax|f?min\w*|f?max\w*|__\w+ti3|__\w+di3|__\w+sf\w*|__\w+df\w*)$/.test(name)) return "compiler_builtins";
  // Formatting (core::fmt and every Debug/Display impl) as one group: what `{}`/`{:?}` cost.
  if (/^<.* as core::fmt::\w+>::|^<?core::fmt::|^<core::fmt::/.test(name)) return FMT;
  // Inherent methods of primitives (`<char>::escape_debug_ext`, `<u64>::_fmt`, `<[u8]>::starts_with`).
  if (/^<(\[?(char|str|bool|[iuf](8|16|32|64|128|size))\]?)>::/.test(name)) return /fmt|debug|display/i.test(name) ? FMT : "core";
  // A Rust path: `<A as B>::f` counts for A's crate (B's when A is a primitive, slice, reference ...).
  const as = name.match(/^<+(.*?) as (.*?)>::/);
  for (let c of as ? [as[1], as[2]] : [name]) {
    c = c.replace(/^(&|\*const |\*mut |mut |\[|\(|dyn |impl |<)+/, "");
    const m = c.match(/^([A-Za-z_]\w*)::(?:([A-Za-z_]\w*)::)?/);
    if (!m) continue;
    if (m[1] === "tessera") return `tessera::${m[2] && /^[a-z]/.test(m[2]) ? m[2] : "(root)"}`;
    return m[1];
  }
  return "(other)";
}
const NAME_SECTION = "(name section: not shipped)";
const FMT = "core::fmt (formatting, with every crate's Debug/Display impls)";

const results = [];
for (const role of roles) {
  const r = recipe[role];
  if (!r) throw new Error(`no build_role line for ${role} in scripts/build.sh`);
  console.error(`profile ${role}: cargo build --profile ${r.profile} --features ${r.features} (${label}), CARGO_TARGET_DIR=${targetDir}`);
  run("cargo", ["build", "--profile", r.profile, "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", "--features", r.features, "--quiet"], {
    cwd: source,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const dir = join(out, role);
  const built = join(out, `tessera_${role}.wasm`);
  run("node", [join(REPO, "scripts/strip-target-features.mjs"), join(targetDir, "wasm32-unknown-unknown", r.profile, "tessera.wasm"), built]);
  run("wasm-bindgen", ["--target", "web", "--out-dir", dir, "--out-name", `tessera_${role}`, built]);
  const wasm = join(dir, `tessera_${role}_bg.wasm`);
  const named = join(dir, `tessera_${role}_named.wasm`);
  const stripped = join(dir, `tessera_${role}_stripped.wasm`);
  run(wasmOpt, [r.level, "-g", ...FEATURES, wasm, "-o", named]);
  run(wasmOpt, [r.level, ...FEATURES, wasm, "-o", stripped]); // as build.sh ships it: the comparison
  const items = JSON.parse(run(twiggy, ["top", "-f", "json", named]));
  const exports = new Set(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(named))).map((e) => e.name));
  for (const item of items) item.group = groupOf(item.name, exports);
  const nameSection = items.filter((i) => i.group === NAME_SECTION).reduce((a, i) => a + i.shallow_size, 0);
  const counted = items.filter((i) => i.group !== NAME_SECTION);
  const total = counted.reduce((a, i) => a + i.shallow_size, 0);
  const groups = new Map();
  if (process.env.PROFILE_SHOW_GROUP) for (const i of counted) if (i.group === process.env.PROFILE_SHOW_GROUP) console.error(`  ${process.env.PROFILE_SHOW_GROUP}: ${i.shallow_size} ${i.name}`);
  for (const item of counted) {
    const g = item.group;
    const entry = groups.get(g) ?? { bytes: 0, items: 0 };
    entry.bytes += item.shallow_size;
    entry.items += 1;
    groups.set(g, entry);
  }
  const shipped = join(REPO, `pkg/dist/${role}/web/tessera_${role}_bg.wasm`);
  const strippedBytes = readFileSync(stripped);
  results.push({
    role,
    recipe: r,
    named: statSync(named).size,
    nameSection,
    stripped: strippedBytes.length,
    strippedGzip: spawnSync("gzip", ["-9c", "-n"], { input: strippedBytes, maxBuffer: 1 << 28 }).stdout?.length ?? gzipSync(strippedBytes, { level: zlib.Z_BEST_COMPRESSION }).length,
    shipped: existsSync(shipped) ? statSync(shipped).size : NaN,
    total,
    top: counted.slice(0, top),
    groups: [...groups].sort((a, b) => b[1].bytes - a[1].bytes),
  });
}

/** A twiggy name for reading: without symbol hashes (::h0123…) and crate disambiguators ([0123…]). */
const readable = (name) => name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "");
const pct = (n, total) => `${((n / total) * 100).toFixed(1)}%`;
const fmt = (n) => new Intl.NumberFormat("en-US").format(n);
for (const r of results) {
  const head = `${r.role}: cargo profile \`${r.recipe.profile}\`, wasm-opt ${r.recipe.level}; ${label}. Module without names ${fmt(r.stripped)} bytes (gzip -9 ${fmt(r.strippedGzip)}); shipped pkg/dist/${r.role}/web ${Number.isFinite(r.shipped) ? fmt(r.shipped) : "missing"} bytes; twiggy counts ${fmt(r.total)} bytes (name section of ${fmt(r.nameSection)} left out)`;
  if (markdown) {
    console.log(`#### ${head}\n`);
    console.log("| Group | Bytes | Share | Items |\n| --- | --- | --- | --- |");
    // Groups under 1% of the module go into one row (the text output lists them all).
    const small = r.groups.filter(([, v]) => v.bytes < r.total / 100);
    for (const [g, v] of r.groups) if (v.bytes >= r.total / 100) console.log(`| ${g} | ${fmt(v.bytes)} | ${pct(v.bytes, r.total)} | ${v.items} |`);
    if (small.length) {
      const bytes = small.reduce((a, [, v]) => a + v.bytes, 0);
      const items = small.reduce((a, [, v]) => a + v.items, 0);
      console.log(`| ${small.length} groups under 1% each: ${small.map(([g]) => g.replace(/ \(.*/, "")).join(", ")} | ${fmt(bytes)} | ${pct(bytes, r.total)} | ${items} |`);
    }
    console.log(`\nTop ${r.top.length} items (shallow size):\n`);
    console.log("| Item | Bytes | Share |\n| --- | --- | --- |");
    for (const i of r.top) console.log(`| \`${readable(i.name).replace(/\|/g, "\\|").slice(0, 120)}\` | ${fmt(i.shallow_size)} | ${pct(i.shallow_size, r.total)} |`);
    console.log("");
  } else {
    console.log(`\n== ${head}\n-- grouped (crate; tessera by module):`);
    for (const [g, v] of r.groups) console.log(`${fmt(v.bytes).padStart(9)}  ${pct(v.bytes, r.total).padStart(6)}  ${String(v.items).padStart(5)} items  ${g}`);
    console.log(`-- top ${r.top.length} items (shallow):`);
    for (const i of r.top) console.log(`${fmt(i.shallow_size).padStart(9)}  ${pct(i.shallow_size, r.total).padStart(6)}  ${readable(i.name).slice(0, 150)}`);
  }
}
console.error(`outputs in ${out} (named modules: tessera_<role>_named.wasm, for twiggy paths/dominators/monos)`);
