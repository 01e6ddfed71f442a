// Every code block of the README runs here, as written (only import specifiers are mapped
// where a runtime cannot resolve the package name without a bundler).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { generateKeyPair, Signer } from "tessera-auth";
import { freePort, workerd } from "./helpers.mjs";
import { demoWorker } from "../../www/serve.mjs";
import { redisServer } from "./redis-server.mjs";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { PROVIDERS, checkProvider } from "./providers.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(`${root}/README.md`, "utf8");

/** The fenced blocks of the README: { heading, lang, code }. */
function blocks() {
  const out = [];
  let heading = "";
  const lines = readme.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith("#")) heading = lines[i].replace(/^#+\s*/, "");
    const open = lines[i].match(/^```(\w+)$/);
    if (!open) continue;
    const start = ++i;
    while (!lines[i].startsWith("```")) i++;
    out.push({ heading, lang: open[1], code: lines.slice(start, i).join("\n") });
  }
  return out;
}

const covered = new Set();
/** The `index`-th `lang` block under `heading`, marked as exercised. */
function snippet(heading, lang = "js", index = 0) {
  const block = blocks().filter((b) => b.heading === heading && b.lang === lang)[index];
  assert.ok(block, `no ${lang} block #${index} under "${heading}"`);
  covered.add(`${heading}/${lang}#${index}`);
  return block.code;
}

function runNode(code, name) {
  const file = `${root}/tests/js/.readme-${name}.mjs`;
  writeFileSync(file, code);
  try {
    return execFileSync(process.execPath, [file], { encoding: "utf8" }).trim();
  } finally {
    rmSync(file, { force: true });
  }
}

let demo, origin, browser;
before(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  demo = demoWorker({ port });
  await demo.ready;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
});
after(async () => {
  await browser?.close();
  await demo?.dispose();
});

test("README: the two commands are the scripts CI and the demo tests run", () => {
  const code = snippet("Develop", "sh");
  assert.match(code, /^\.\/scripts\/demo\.sh/m);
  assert.match(code, /^\.\/scripts\/test\.sh/m);
  assert.match(readFileSync(`${root}/.ci/run`, "utf8"), /scripts\/test\.sh/);
});

test("README: the install command names the package as published (installs from its tarball are tested in bundlers.test.mjs)", () => {
  const { name, private: isPrivate } = JSON.parse(readFileSync(`${root}/pkg/package.json`, "utf8"));
  assert.equal(snippet("Install", "sh"), `npm i ${name}`);
  assert.equal(name, "tessera-auth");
  assert.notEqual(isPrivate, true);
});

test("README: Node quick start", () => {
  const out = runNode(`${snippet("Verify access tokens (Node)")}\nif (claims.sub !== "user-1" || same.jti !== claims.jti) throw new Error("broken");\nconsole.log("ok");\n`, "node");
  assert.equal(out, "ok");
});

test("README: Authority walkthrough", () => {
  const out = runNode(snippet("Run the token service"), "authority").split("\n");
  assert.match(out[0], /^user-1 [A-Za-z0-9_-]{22}$/);
  assert.equal(out[1], "200 1");
});

test("README: Deno quick start", () => {
  const file = `${root}/tests/deno/.readme-deno.mjs`;
  writeFileSync(file, snippet("Deno"));
  try {
    const out = execFileSync(`${root}/node_modules/.bin/deno`, ["run", "--allow-read", file], { cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    assert.equal(out.trim(), "dino");
  } finally {
    rmSync(file, { force: true });
  }
});

// Workers resolve "tessera-auth" through a bundler (wrangler); here the same code imports the files.
const forWorkerd = (code) =>
  code
    .replace('from "tessera-auth/durable-object"', 'from "../../../pkg/durable-object.js"')
    .replace('from "tessera-auth/authority"', 'from "../../../pkg/authority/workerd.js"')
    .replace('from "tessera-auth/verify"', 'from "../../../pkg/verify/workerd.js"');

test("README: Cloudflare Workers quick start runs in workerd", async () => {
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "readme" });
  const server = createServer((req, res) => res.end(JSON.stringify({ keys: [publicJwk] })));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const file = `${root}/tests/js/worker/.readme-worker.js`;
  writeFileSync(file, forWorkerd(snippet("Verify at the edge (Cloudflare Workers)")));
  const mf = await workerd(new URL(`file://${file}`), {
    bindings: { JWKS_URL: `http://127.0.0.1:${server.address().port}/jwks.json`, ISSUER: "https://auth.example", AUDIENCE: "app" },
  });
  try {
    const token = new Signer({ privateJwk, issuer: "https://auth.example", audience: "app" }).signSync({ sub: "reader" });
    const ok = await mf.dispatchFetch("http://localhost/", { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await ok.json(), { hello: "reader" });
    const bad = await mf.dispatchFetch("http://localhost/", { headers: { authorization: "Bearer nope" } });
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).code, "ERR_MALFORMED");
  } finally {
    await mf.dispose();
    server.close();
    rmSync(file, { force: true });
  }
});

test("README: the Durable Object worker runs in workerd", async () => {
  const file = `${root}/tests/js/worker/.readme-durable.js`;
  writeFileSync(file, forWorkerd(snippet("On Cloudflare Workers, with Durable Objects")));
  const { privateJwk } = generateKeyPair();
  const mf = await workerd(new URL(`file://${file}`), {
    durableObjects: { SESSIONS: "TesseraStoreObject" },
    bindings: {
      ISSUER: "https://auth.example", AUDIENCE: "api", APP_ORIGIN: "https://app.example",
      SIGNING_KEY: JSON.stringify(privateJwk), REFRESH_SECRET: Buffer.alloc(32, 1).toString("base64url"),
    },
  });
  try {
    const headers = { origin: "https://app.example", "tessera-request": "1" };
    const login = await mf.dispatchFetch("https://auth.example/auth/login", { method: "POST", headers });
    assert.equal(login.status, 200);
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const refresh = await mf.dispatchFetch("https://auth.example/auth/refresh", { method: "POST", headers: { ...headers, cookie } });
    assert.equal(refresh.status, 200);
    assert.equal((await mf.dispatchFetch("https://auth.example/elsewhere")).status, 404);
  } finally {
    await mf.dispose();
    rmSync(file, { force: true });
  }
});

test("README: the plain ES module page loads the package in Chromium", async () => {
  const page = await browser.newPage();
  try {
    const html = snippet("Keep the access token in the browser", "html").replace("</script>", "  window.readmeVerifier = verifier;\n</script>");
    await page.route(`${origin}/readme.html`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    await page.route(`${origin}/node_modules/tessera-auth/**`, (route) => {
      const path = new URL(route.request().url()).pathname.replace("/node_modules/tessera-auth/", "");
      route.fulfill({ contentType: path.endsWith(".wasm") ? "application/wasm" : "text/javascript", body: readFileSync(`${root}/pkg/${path}`) });
    });
    await page.goto(`${origin}/readme.html`);
    await page.waitForFunction(() => window.readmeVerifier !== undefined);
  } finally {
    await page.close();
  }
});

test("README: the TokenSession example runs in Chromium against the demo worker", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const code = snippet("Keep the access token in the browser");
    const html = `<!doctype html><script type="importmap">{"imports":{"tessera-auth":"/pkg/index.js","tessera-auth/session":"/pkg/session/web.js"}}</script>
<script type="module">
const username = "demo", password = "demo";
${code}
window.readme = { status: res.status, state: session.state.status };
</script>`;
    await page.route(`${origin}/readme-session.html`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    await page.goto(`${origin}/readme-session.html`);
    await page.waitForFunction(() => window.readme !== undefined, null, { timeout: 15000 });
    assert.deepEqual(await page.evaluate(() => window.readme), { status: 200, state: "signed-out" });
  } finally {
    await context.close();
  }
});

const NODE_SERVER = "On a Node server, with Redis";

/** Runs a README server snippet as a child process on a free port; resolves { url, output, stop }. */
async function serveSnippet(code, name, env) {
  const port = await freePort();
  const file = `${root}/tests/js/.readme-${name}.mjs`;
  writeFileSync(file, code);
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  child.stdout.on("data", (d) => output.push(String(d)));
  child.stderr.on("data", (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 200) throw new Error(`snippet ${name} did not start: ${output.join("")}`);
    if (await fetch(`${url}/.well-known/jwks.json`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    rmSync(file, { force: true });
  };
  return { url, output, stop };
}

async function handshakeOver(url) {
  const headers = { origin: "https://app.example", "tessera-request": "1" };
  const login = await fetch(`${url}/auth/login`, { method: "POST", headers });
  assert.equal(login.status, 200);
  const cookie = login.headers.getSetCookie()[0].split(";")[0];
  const refresh = await fetch(`${url}/auth/refresh`, { method: "POST", headers: { ...headers, cookie } });
  assert.equal(refresh.status, 200);
  assert.equal((await fetch(`${url}/elsewhere`)).status, 404);
  return { cookie, ...(await refresh.json()) };
}

test("README: the Authority on a plain Node server with Redis", async () => {
  const redis = await redisServer();
  const { privateJwk } = generateKeyPair();
  const server = await serveSnippet(snippet(NODE_SERVER, "js", 0), "node-redis", {
    REDIS_URL: redis.url, SIGNING_KEY: JSON.stringify(privateJwk), REFRESH_SECRET: Buffer.alloc(32, 3).toString("base64url"),
  });
  try {
    const { cookie } = await handshakeOver(server.url);
    const log = server.output.join("");
    assert.match(log, /^info tessera: session started sid=\S+ sub=user-1$/m);
    assert.match(log, /^info tessera: refresh rotated sid=\S+ generation=1$/m);
    assert.ok(!log.includes(cookie.split("=")[1]), "no token in the log");
  } finally {
    await server.stop();
    await redis.close();
  }
});

test("README: the Hono example", async () => {
  const server = await serveSnippet(snippet(NODE_SERVER, "js", 1), "hono", {});
  try {
    const { access_token } = await handshakeOver(server.url);
    const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.deepEqual(await me.json(), { sub: "user-1" });
    const bad = await fetch(`${server.url}/api/me`, { headers: { authorization: "Bearer nope" } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  } finally {
    await server.stop();
  }
});

test("README: redact example", () => {
  const out = runNode(snippet("`redact(text, { fingerprintKey })`"), "redact");
  assert.match(out, /^GET \/cb\?access_token=\[jwt [0-9a-f]{8}\] cookie: tessera_rt=\[refresh [0-9a-f]{8}\]$/);
});

// Each provider's snippet runs as written (it only constructs its Verifier: no network); the
// verifier is then given its provider's key set, as a fetch would, and checked with tokens shaped
// like that provider's (tests/js/providers.mjs).
for (const name of Object.keys(PROVIDERS)) {
  test(`README: verifying tokens from ${name}`, async () => {
    const file = `${root}/tests/js/.readme-provider-${name.replace(/\W+/g, "-")}.mjs`;
    writeFileSync(file, `${snippet(name)}\nexport { verifier };\n`);
    try {
      const { verifier } = await import(`${pathToFileURL(file).href}?${Date.now()}`);
      await checkProvider(name, verifier);
    } finally {
      rmSync(file, { force: true });
    }
  });
}

test("README: every code block is exercised by a test above", () => {
  const seen = {};
  const all = blocks().map((b) => {
    const key = `${b.heading}/${b.lang}`;
    seen[key] = (seen[key] ?? -1) + 1;
    return `${key}#${seen[key]}`;
  });
  assert.deepEqual(all.filter((key) => !covered.has(key)), []);
});
