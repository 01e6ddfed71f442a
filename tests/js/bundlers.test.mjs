// The set-ups docs/SETUP.md documents, each built and loaded as a user would: the examples/ apps
// (examples/app/main.js: a TokenSession from tessera-auth/session and a Verifier from
// tessera-auth/verify) bundled by Vite 8 (no config), Vite 7 and Vite 6 (one config line each),
// esbuild (bundle + copy the .wasm) and webpack 5, then loaded in Chromium from 127.0.0.1; the
// Cloudflare worker (examples/worker) through `wrangler deploy --dry-run`, its bundle then run in
// workerd with its Durable Object; Deno with --allow-read; Node 20 `require` and `import` of every
// subpath that runs in Node, each in a fresh process.
//
// Every project is a copy of its example in a temp dir whose node_modules holds tessera-auth as
// `npm pack` of pkg/ ships it, next to symlinks to this repository's other packages. Builds run
// one after another (2-core machines).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { Signer, generateKeyPair } from "tessera-auth";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** What examples/app/main.js shows when it verified the token and refused a forged one. */
const EXPECTED = "user-1 signed-out ERR_BAD_SIGNATURE";
const ENV = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", CI: "1", WRANGLER_SEND_METRICS: "false" };

let work, packed, browser, fixtures;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "tessera-bundlers-"));
  const { stdout } = await run("npm", ["pack", "--pack-destination", work, "--json", "--ignore-scripts"], { cwd: join(root, "pkg") });
  const [{ filename }] = JSON.parse(stdout);
  await run("tar", ["-xzf", join(work, filename), "-C", work]);
  packed = join(work, "package");
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "bundlers" });
  const signer = new Signer({ privateJwk, issuer: "https://auth.example", audience: "https://api.example" });
  fixtures = {
    "jwks.json": JSON.stringify({ keys: [publicJwk] }),
    "token.txt": signer.signSync({ sub: "user-1", client_id: "web", scope: "read" }, { expiresIn: 3600 }),
  };
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A copy of examples/<name> (plus examples/app/main.js for the browser apps) in <temp>/<as>, with
 * a node_modules of its own: tessera-auth from the tarball, the rest symlinked to the repository's.
 */
function project(name, { app = true, as = name } = {}) {
  const dir = join(work, as);
  cpSync(join(root, "examples", name), dir, { recursive: true });
  if (app) cpSync(join(root, "examples/app/main.js"), join(dir, "main.js"));
  const modules = join(dir, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(join(root, "node_modules"))) {
    if (entry !== "tessera-auth" && !entry.startsWith(".package-lock")) symlinkSync(join(root, "node_modules", entry), join(modules, entry));
  }
  cpSync(packed, join(modules, "tessera-auth"), { recursive: true });
  return dir;
}

/** The two files examples/app/main.js fetches, written into `dir`. */
function writeFixtures(dir) {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(fixtures)) writeFileSync(join(dir, file), text);
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".txt": "text/plain" };

/** A static file server for `dir` on 127.0.0.1. */
async function serve(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Loads `url` in a fresh browser context → the app's output, and what went wrong on the way. */
async function load(url) {
  const context = await browser.newContext();
  const problems = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (["error", "warning"].includes(message.type()) && !/favicon|Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector("output")?.textContent, null, { timeout: 20_000 }).catch(() => {});
    return { output: await page.evaluate(() => document.querySelector("output")?.textContent ?? ""), problems };
  } finally {
    await context.close();
  }
}

async function assertApp(url) {
  const { output, problems } = await load(url);
  assert.deepEqual({ output, problems }, { output: EXPECTED, problems: [] }, url);
}

/** Runs `node <args>` in `cwd`; rejects with its output when it fails. */
async function node(args, cwd, env = {}) {
  try {
    return await run(process.execPath, args, { cwd, env: { ...ENV, ...env }, maxBuffer: 16 << 20 });
  } catch (error) {
    throw new Error(`node ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

/** Starts a Vite dev server (`vite` of package `vite`) in `dir` → its origin and a stop function. */
async function viteDev(vite, dir) {
  const child = spawn(process.execPath, [`node_modules/${vite}/bin/vite.js`, "--host", "127.0.0.1", "--port", "0", "--strictPort"], { cwd: dir, env: ENV });
  let log = "";
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${vite} dev server did not start:\n${log}`)), 20_000);
    const onData = (chunk) => {
      log += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${vite} dev server exited (${code}):\n${log}`)));
  });
  return {
    origin,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A Vite project: dev server (the app in Chromium), then `vite build` served as static files. */
async function viteProject(name, vite) {
  const dir = project(name);
  writeFixtures(join(dir, "public"));
  const dev = await viteDev(vite, dir);
  try {
    await assertApp(`${dev.origin}/`);
  } finally {
    await dev.stop();
  }
  await node([`node_modules/${vite}/bin/vite.js`, "build"], dir);
  assert.ok(readdirSync(join(dir, "dist/assets")).some((file) => file.endsWith(".wasm")), "the build emitted the .wasm files");
  const server = await serve(join(dir, "dist"));
  try {
    await assertApp(`${server.origin}/`);
  } finally {
    await server.close();
  }
}

test("Vite 8 (no config): dev server and production build", async () => {
  await viteProject("vite", "vite");
});

test("Vite 7 (optimizeDeps.exclude): dev server and production build", async () => {
  await viteProject("vite7", "vite7");
});

test("Vite 6 (optimizeDeps.exclude, build.target es2022): dev server and production build", async () => {
  await viteProject("vite6", "vite6");
});

test("esbuild: bundle, then copy the two .wasm files next to it (package.json build script)", async () => {
  const dir = project("esbuild");
  const { scripts } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  // The documented script, as `npm run build` runs it: node_modules/.bin on PATH, a POSIX shell.
  await run("sh", ["-c", scripts.build], { cwd: dir, env: { ...ENV, PATH: `${join(dir, "node_modules/.bin")}:${process.env.PATH}` } }).catch((error) => {
    throw new Error(`esbuild build failed:\n${error.stdout}\n${error.stderr}`);
  });
  writeFixtures(dir);
  const server = await serve(dir);
  try {
    await assertApp(`${server.origin}/`);
  } finally {
    await server.close();
  }
});

test("webpack 5: webpack.config.js with entry and output only, built with the Node API (build.mjs)", async () => {
  const dir = project("webpack");
  await node(["build.mjs"], dir);
  assert.ok(readdirSync(join(dir, "dist")).filter((file) => file.endsWith(".wasm")).length === 2, "webpack emitted both .wasm files");
  writeFixtures(dir);
  const server = await serve(dir);
  try {
    await assertApp(`${server.origin}/`);
  } finally {
    await server.close();
  }
});

test("Cloudflare worker: wrangler deploy --dry-run (offline, no login), then the bundle runs in workerd with its Durable Object store", async () => {
  const dir = project("worker", { app: false });
  const out = join(dir, "out");
  // Offline and logged out: no credentials, every request wrangler would make through its fetch goes
  // to a closed port, no banner (its update check); settings and logs in the temp dir, not ~/.config.
  const offline = { XDG_CONFIG_HOME: join(work, "config"), WRANGLER_HIDE_BANNER: "true", HTTPS_PROXY: "http://127.0.0.1:9", HTTP_PROXY: "http://127.0.0.1:9" };
  for (const name of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID"]) offline[name] = "";
  const { stdout } = await node(["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", out], dir, offline);
  assert.match(stdout, /env\.SESSIONS \(TesseraStoreObject\)\s+Durable Object/);
  const files = readdirSync(out);
  const wasm = files.filter((file) => file.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm module (the authority build): ${files}`);

  // The uploaded bundle, run by workerd (Miniflare) as Cloudflare would.
  const { Miniflare } = await import("miniflare");
  const { COMPATIBILITY_DATE } = await import("../../scripts/workerd.mjs");
  const { privateJwk } = generateKeyPair({ kid: "worker" });
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: join(out, "index.js") },
      { type: "CompiledWasm", path: join(out, wasm[0]) },
    ],
    modulesRoot: out,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { SESSIONS: "TesseraStoreObject" },
    bindings: {
      ISSUER: "https://auth.example",
      AUDIENCE: "https://api.example",
      APP_ORIGIN: "https://app.example",
      SIGNING_KEY: JSON.stringify(privateJwk),
      REFRESH_SECRET: Buffer.alloc(32, 7).toString("base64url"),
    },
    host: "127.0.0.1",
  });
  try {
    const browserHeaders = { origin: "https://app.example", "tessera-request": "1" };
    const login = await mf.dispatchFetch("https://auth.example/auth/login", { method: "POST", headers: browserHeaders });
    assert.equal(login.status, 200);
    const { access_token } = await login.json();
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const me = await mf.dispatchFetch("https://auth.example/api/me", { headers: { authorization: `Bearer ${access_token}` } });
    assert.deepEqual([me.status, await me.json()], [200, { sub: "user-1" }]);
    const refreshed = await mf.dispatchFetch("https://auth.example/auth/refresh", { method: "POST", headers: { ...browserHeaders, cookie } });
    assert.equal(refreshed.status, 200);
    await refreshed.arrayBuffer();
    // The rotated token again, past nothing but the grace window's retry: the same successor.
    const retried = await mf.dispatchFetch("https://auth.example/auth/refresh", { method: "POST", headers: { ...browserHeaders, cookie } });
    assert.equal(retried.status, 200);
    await retried.arrayBuffer();
    const jwks = await mf.dispatchFetch("https://auth.example/.well-known/jwks.json");
    assert.equal((await jwks.json()).keys[0].kid, "worker");
  } finally {
    await mf.dispose();
  }
});

test("Deno: deno run --allow-read with tessera-auth/authority and /verify (npm: specifiers from node_modules)", async () => {
  const dir = project("deno", { app: false });
  const { stdout } = await run(join(root, "node_modules/.bin/deno"), ["run", "--allow-read", "main.js"], {
    cwd: dir,
    env: { ...ENV, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(work, "deno-cache") },
  });
  assert.equal(stdout.trim(), "dino ERR_BAD_SIGNATURE deno");
});

test("Node 20: examples/node/app.cjs (require) and app.mjs (import)", async () => {
  const dir = project("node", { app: false });
  for (const app of ["app.cjs", "app.mjs"]) {
    const { stdout } = await node([app], dir);
    assert.equal(stdout.trim(), "200 user-1 user-2 function", app);
  }
});

// Every subpath that claims CommonJS, required (and imported) in a fresh Node process each.
const NODE_SUBPATHS = {
  "tessera-auth": ["Authority", "MemoryStore", "Signer", "TesseraError", "Verifier", "errorResponse", "generateKeyPair", "redact"],
  "tessera-auth/authority": ["Authority", "MemoryStore", "Signer", "TesseraError", "Verifier", "errorResponse", "generateKeyPair", "redact"],
  "tessera-auth/verify": ["TesseraError", "Verifier", "errorResponse", "redact"],
  "tessera-auth/redis": ["RedisStore", "TesseraError"],
  "tessera-auth/node-http": ["TesseraError", "toNodeListener"],
};

test("Node 20: require and import of every CommonJS subpath, each in a fresh process", async () => {
  const dir = project("node", { app: false, as: "node-subpaths" });
  // What each process prints: its export names, and that the module's TesseraError is the one
  // `instanceof` recognises (an error the module itself threw).
  const probe = (load) => `${load};
const names = Object.keys(m).filter((name) => !name.startsWith("__") && name !== "default").sort(); // __: internal hooks
let code;
try {
  if (m.Verifier) new m.Verifier({});
  else if (m.RedisStore) new m.RedisStore({});
  else m.toNodeListener("not a function");
} catch (error) {
  code = error instanceof m.TesseraError ? error.code : String(error);
}
console.log(JSON.stringify({ names, code }));`;
  for (const [specifier, names] of Object.entries(NODE_SUBPATHS)) {
    for (const [kind, args] of [
      ["require", ["-e", probe(`const m = require(${JSON.stringify(specifier)})`)]],
      ["import", ["--input-type=module", "-e", probe(`const m = await import(${JSON.stringify(specifier)})`)]],
    ]) {
      const { stdout } = await node(args, dir);
      assert.deepEqual(JSON.parse(stdout), { names, code: "ERR_INVALID_OPTIONS" }, `${kind} ${specifier}`);
    }
  }
  // The ESM-only entries are refused by require, as documented (browser and workerd builds).
  for (const specifier of ["tessera-auth/session", "tessera-auth/durable-object"]) {
    const { stdout } = await node(["-e", `try { require(${JSON.stringify(specifier)}); console.log("loaded") } catch (error) { console.log(error.code) }`], dir);
    assert.notEqual(stdout.trim(), "loaded", specifier);
  }
});

test("docs/SETUP.md: every code block is a copy of the file it names", () => {
  const text = readFileSync(join(root, "docs/SETUP.md"), "utf8");
  const blocks = [...text.matchAll(/^```(\w+) ([^\n]+)\n([\s\S]*?)^```$/gm)];
  assert.ok(blocks.length >= 10);
  for (const [, , file, code] of blocks) {
    assert.ok(readFileSync(join(root, file), "utf8").includes(code), `the block of ${file} is not in ${file}`);
  }
  // Every fenced block names its file.
  assert.equal(blocks.length, [...text.matchAll(/^```\w/gm)].length);
});
