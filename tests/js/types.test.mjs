// The TypeScript declarations of tessera-auth (pkg/types/): typed examples per entry compile under
// `tsc --noEmit --strict` (TypeScript 5.9.3) with moduleResolution bundler, node16 ESM and node16
// CommonJS, and the workerd condition, their `@ts-expect-error` lines proving that mistakes are
// errors; every subpath's types resolve as Node and bundlers resolve them (@arethetypeswrong/cli
// on the packed tarball, offline); no shipped declaration says `any`; and the values each entry
// declares are the values it exports.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = (path) => join(root, "node_modules", path);

// The three compilations run side by side (each is one tsc process); the tests await them.
const compile = (config) =>
  run(process.execPath, [bin("typescript/bin/tsc"), "--noEmit", "--strict", "-p", `tests/types/tsconfig.${config}.json`], { cwd: root })
    .then(() => "")
    .catch((error) => `${error.stdout}${error.stderr}`);
const compiled = Object.fromEntries(["bundler", "node16", "workers"].map((config) => [config, compile(config)]));

test("tsc --strict: browser and bundler apps (moduleResolution bundler)", async () => {
  assert.equal(await compiled.bundler, "");
});

test("tsc --strict: Node, ESM (.mts) and CommonJS (.cts) (moduleResolution node16)", async () => {
  assert.equal(await compiled.node16, "");
});

test("tsc --strict: a Cloudflare worker with the Durable Object store (bundler + workerd condition)", async () => {
  assert.equal(await compiled.workers, "");
});

// What `npm pack` puts in the tarball, checked as a user installs it.
let packed;
async function pack() {
  packed ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-types-"));
    const { stdout } = await run("npm", ["pack", "--pack-destination", dir, "--json", "--ignore-scripts"], { cwd: join(root, "pkg") });
    const [{ filename, files }] = JSON.parse(stdout);
    return { dir, tarball: join(dir, filename), files: files.map((file) => file.path) };
  })();
  return packed;
}

// The one problem @arethetypeswrong/cli reports that is the package's design, not a mistake:
// `require` of /session, /bundler and /durable-object resolves to ES modules. They are the browser
// and workerd entries (top-level await instantiates the WebAssembly module), ESM only by design:
// Node has no build of them, so there is nothing for `require` to load.
const ESM_ONLY = ["./session", "./bundler", "./durable-object"];
const ALLOWED = [(problem) => problem.kind === "CJSResolvesToESM" && problem.resolutionKind === "node16-cjs" && ESM_ONLY.includes(problem.entrypoint)];

test("@arethetypeswrong/cli: every subpath's types resolve in node16 (ESM and CommonJS), bundlers and node10", async () => {
  const { dir, tarball } = await pack();
  // Into a file: attw exits before a pipe has taken all of its (large) JSON report.
  const report = join(dir, "attw.json");
  const out = openSync(report, "w");
  const attw = spawn(process.execPath, [bin("@arethetypeswrong/cli/dist/index.js"), tarball, "--format", "json", "--no-definitely-typed"], {
    cwd: root,
    stdio: ["ignore", out, "inherit"],
  });
  await once(attw, "close");
  closeSync(out);
  const { analysis } = JSON.parse(readFileSync(report, "utf8"));
  const entrypoints = Object.keys(analysis.entrypoints).sort();
  assert.deepEqual(entrypoints, [".", "./authority", "./bundler", "./durable-object", "./node-http", "./package.json", "./redis", "./session", "./verify"]);
  const { files } = await pack();
  for (const file of ["README.md", "LICENSE", "LICENSE-MIT", "LICENSE-APACHE"]) assert.ok(files.includes(file), `${file} is in the tarball`);
  assert.equal(readFileSync(join(root, "pkg", "README.md"), "utf8"), readFileSync(join(root, "README.md"), "utf8"), "the tarball's README is the repository's");
  const problems = analysis.problems.filter((problem) => !ALLOWED.some((allowed) => allowed(problem)));
  assert.deepEqual(problems, []);
  // Each resolution that should have types has them, of the module kind of its JavaScript.
  for (const [name, entry] of Object.entries(analysis.entrypoints)) {
    if (name === "./package.json") continue;
    for (const kind of ["node16-esm", "bundler"]) {
      assert.match(entry.resolutions[kind].resolution?.fileName ?? "", /\/types\/[a-z-]+\.d\.ts$/, `${name} ${kind}`);
    }
    const cjs = entry.resolutions["node16-cjs"].resolution?.fileName ?? "";
    assert.match(cjs, ESM_ONLY.includes(name) ? /\/types\/[a-z-]+\.d\.ts$/ : /\/types\/[a-z-]+\.d\.cts$/, `${name} node16-cjs`);
    // node10 (TypeScript's legacy `moduleResolution: "node"`, the default with `module: commonjs`)
    // ignores exports: the top-level types and typesVersions serve it the Node types.
    assert.match(entry.resolutions.node10.resolution?.fileName ?? "", /\/types\/[a-z-]+\.d\.c?ts$/, `${name} node10`);
  }
});

test("the shipped declarations: types/ only (no generated wasm-bindgen .d.ts), and no `any`", async () => {
  const { files } = await pack();
  const declarations = files.filter((file) => /\.d\.c?ts$/.test(file)).sort();
  assert.ok(declarations.length > 0);
  for (const file of declarations) {
    assert.match(file, /^types\//, `${file} is shipped`);
    const text = readFileSync(join(root, "pkg", file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "")
      .replace(/"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
    assert.doesNotMatch(text, /\bany\b/, `${file} says any`);
  }
  // Every declaration file package.json names (exports, types, typesVersions) is in the tarball.
  const pkg = JSON.parse(readFileSync(join(root, "pkg/package.json"), "utf8"));
  const named = new Set();
  const walk = (value) => {
    if (typeof value === "string") return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "types") named.add(inner.replace(/^\.\//, ""));
      else walk(inner);
    }
  };
  walk(pkg.exports);
  for (const file of [pkg.types, ...Object.values(pkg.typesVersions["*"]).flat()]) named.add(file.replace(/^\.\//, ""));
  for (const file of named) assert.ok(files.includes(file), `${file} is named in exports but not packed`);
});

// The values each entry's types declare, and the values it exports at run time.
const EXPECTED = {
  root_node: ["Authority", "MemoryStore", "Signer", "TesseraError", "Verifier", "errorResponse", "generateKeyPair", "redact"],
  root_browser: ["Authority", "MemoryStore", "Signer", "TesseraError", "TokenSession", "Verifier", "errorResponse", "generateKeyPair", "redact"],
  session: ["TesseraError", "TokenSession"],
  verify: ["TesseraError", "Verifier", "errorResponse", "redact"],
  redis: ["RedisStore", "TesseraError"],
  "node-http": ["TesseraError", "toNodeListener"],
  "durable-object": ["DurableObjectStore", "TesseraError", "TesseraStoreObject"],
};

function declaredValues() {
  const ts = createRequire(import.meta.url)(bin("typescript/lib/typescript.js"));
  const files = ["authority.d.ts", "authority.d.cts", "index.d.ts", "session.d.ts", "verify.d.ts", "verify.d.cts", "redis.d.ts", "redis.d.cts", "node-http.d.ts", "node-http.d.cts", "durable-object.d.ts"];
  const paths = files.map((file) => join(root, "pkg/types", file));
  const program = ts.createProgram(paths, {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const values = {};
  for (const [i, file] of files.entries()) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(paths[i]));
    values[file] = checker
      .getExportsOfModule(module)
      .filter((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return (target.flags & ts.SymbolFlags.Value) !== 0;
      })
      .map((symbol) => symbol.name)
      .sort();
  }
  return values;
}

test("each entry's types declare exactly the values it exports", async () => {
  const declared = declaredValues();
  assert.deepEqual(declared["authority.d.ts"], EXPECTED.root_node);
  assert.deepEqual(declared["authority.d.cts"], EXPECTED.root_node);
  assert.deepEqual(declared["index.d.ts"], EXPECTED.root_browser);
  for (const name of ["session", "durable-object"]) assert.deepEqual(declared[`${name}.d.ts`], EXPECTED[name]);
  for (const name of ["verify", "redis", "node-http"]) {
    assert.deepEqual(declared[`${name}.d.ts`], EXPECTED[name]);
    assert.deepEqual(declared[`${name}.d.cts`], EXPECTED[name]);
  }
  // The Node entries at run time (CommonJS builds expose one internal hook for tests, untyped).
  const require = createRequire(join(root, "package.json"));
  const internal = (names) => names.filter((name) => !name.startsWith("__"));
  for (const [specifier, expected] of [
    ["tessera-auth", EXPECTED.root_node],
    ["tessera-auth/authority", EXPECTED.root_node],
    ["tessera-auth/verify", EXPECTED.verify],
    ["tessera-auth/redis", EXPECTED.redis],
    ["tessera-auth/node-http", EXPECTED["node-http"]],
  ]) {
    assert.deepEqual(Object.keys(await import(specifier)).sort(), expected, `import ${specifier}`);
    assert.deepEqual(internal(Object.keys(require(specifier)).sort()), expected, `require ${specifier}`);
  }
});

after(async () => {
  if (packed) rmSync((await packed).dir, { recursive: true, force: true });
});

// The examples directory is complete: every entry of the package has a typed example.
test("every subpath has a typed example", () => {
  const sources = ["esm", "browser", "node", "cjs", "workers"].flatMap((dir) =>
    readdirSync(join(root, "tests/types", dir)).map((file) => readFileSync(join(root, "tests/types", dir, file), "utf8")),
  );
  const imported = new Set(sources.flatMap((source) => [...source.matchAll(/from "(tessera-auth[^"]*)"/g)].map((match) => match[1])));
  for (const subpath of ["tessera-auth", "tessera-auth/session", "tessera-auth/verify", "tessera-auth/authority", "tessera-auth/bundler", "tessera-auth/durable-object", "tessera-auth/redis", "tessera-auth/node-http"]) {
    assert.ok(imported.has(subpath), `${subpath} has no typed example`);
  }
});
