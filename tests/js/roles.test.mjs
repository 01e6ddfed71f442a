// One build per role: each entry exports its role's API and no other, its WebAssembly module
// carries only its role's code, and each runs in the runtimes it claims (the verify build in Node,
// workerd and Chromium here; Deno in deno.test.mjs; the session build in browser.test.mjs).
// Also the one error door: freed objects and foreign errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import * as root from "tessera-auth";
import * as verifyEntry from "tessera-auth/verify";
import * as authorityEntry from "tessera-auth/authority";
import { ISSUER, AUDIENCE, keyPair, signer, jwksServer, workerd } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const { privateJwk, publicJwk } = keyPair("roles");
const token = () => signer(privateJwk).signSync({ sub: "role-user" }, { expiresIn: 60 });
const AUTHORITY_API = ["Authority", "MemoryStore", "Signer", "TesseraError", "Verifier", "errorResponse", "generateKeyPair", "redact"];
const VERIFY_API = ["TesseraError", "Verifier", "errorResponse", "redact"];
const SESSION_API = ["TesseraError", "TokenSession"];
const names = (module) => Object.keys(module).filter((k) => !k.startsWith("__") && k !== "default").sort();

test("each Node entry exports its role's API and nothing of another role (ESM and CommonJS)", () => {
  assert.deepEqual(names(verifyEntry), VERIFY_API);
  assert.deepEqual(names(require("tessera-auth/verify")), VERIFY_API);
  assert.deepEqual(names(authorityEntry), AUTHORITY_API);
  assert.deepEqual(names(require("tessera-auth/authority")), AUTHORITY_API);
  assert.deepEqual(names(root), AUTHORITY_API, "the root in Node is the authority build");
  // One error class across entries: an error from one build is instanceof the other's class.
  const error = (() => {
    try {
      verifyEntry.Verifier.prototype.verifySync.call(new verifyEntry.Verifier({ jwks: { keys: [publicJwk] } }), "x");
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof authorityEntry.TesseraError && error instanceof verifyEntry.TesseraError && error instanceof Error);
  assert.equal(error.code, "ERR_MALFORMED");
});

test("each role's WebAssembly module carries only its role's code", async () => {
  const exportsOf = async (role) => {
    const bytes = await readFile(join(PKG, "dist", role, role === "session" ? "web" : "", `tessera_${role}_bg.wasm`));
    return WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
  };
  const session = await exportsOf("session");
  const verify = await exportsOf("verify");
  const authority = await exportsOf("authority");
  const has = (list, prefix) => list.some((name) => name.toLowerCase().startsWith(prefix));
  assert.ok(has(session, "sessioncore_"), "the session build has the session core");
  for (const prefix of ["verifiercore_", "signer", "authority", "memorystore", "generate_key_pair", "redact"]) {
    assert.ok(!has(session, prefix), `the session build has no ${prefix}`);
  }
  assert.ok(has(verify, "verifiercore_") && has(verify, "redact"), "the verify build verifies and redacts");
  for (const prefix of ["sessioncore_", "signer", "authority", "memorystore", "generate_key_pair"]) {
    assert.ok(!has(verify, prefix), `the verify build has no ${prefix}`);
  }
  for (const prefix of ["verifiercore_", "signer", "authority", "memorystore"]) {
    assert.ok(has(authority, prefix), `the authority build has ${prefix}`);
  }
  assert.ok(!has(authority, "sessioncore_"), "the authority build has no session core");
});

// The function types of a module's type section that return more than one value (an unsigned
// LEB128 reader and the section walk; enough of the binary format for this check).
function multiValueTypes(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 1) {
      const found = [];
      for (let count = leb(), i = 0; i < count; i++) {
        assert.equal(bytes[at++], 0x60, "a plain function type (no GC types in these builds)");
        const parameters = leb();
        at += parameters; // one byte each: numeric and reference types
        const results = leb();
        at += results;
        if (results > 1) found.push(i);
      }
      return found;
    }
    at = end;
  }
  return [];
}

test("no build returns multiple values (Node's V8 compiles an optimised wrapper per such export signature: +0.3-0.6 ms of compile each)", async () => {
  for (const [role, dirs] of [["session", ["web"]], ["verify", ["web", ""]], ["authority", ["web", ""]]]) {
    for (const dir of dirs) {
      const bytes = await readFile(join(PKG, "dist", role, dir, `tessera_${role}_bg.wasm`));
      new WebAssembly.Module(bytes); // a valid module: the walk below reads a real type section
      assert.deepEqual(multiValueTypes(bytes), [], `${role} ${dir || "node"}: types with several results`);
    }
  }
});

test("the verify build in workerd: local and remote key sets, the RFC 6750 answer, redact", async () => {
  const keys = await jwksServer({ keys: [publicJwk] });
  const mf = await workerd(new URL("./worker/verify-worker.js", import.meta.url), {
    bindings: { JWKS: JSON.stringify({ keys: [publicJwk] }), JWKS_URL: keys.url, ISSUER, AUDIENCE },
  });
  try {
    assert.deepEqual(await (await mf.dispatchFetch("http://localhost/exports")).json(), VERIFY_API);
    const good = token();
    for (const path of ["/local", "/remote"]) {
      const answer = await mf.dispatchFetch(`http://localhost${path}`, { headers: { authorization: `Bearer ${good}` } });
      const body = await answer.json();
      assert.equal(body.sub, "role-user", path);
      assert.match(body.line, /^Authorization: Bearer \[jwt [0-9a-f]{8}\]$/);
    }
    assert.equal(keys.hits, 1);
    const refused = await mf.dispatchFetch("http://localhost/local", { headers: { authorization: "Bearer e30.e30.e30" } });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get("www-authenticate"), /^Bearer error="invalid_token"/);
    assert.equal(refused.headers.get("x-tessera-error"), "true");
    await refused.arrayBuffer();
  } finally {
    await mf.dispose();
    await keys.close();
  }
});

// A static server of pkg/ for Chromium, with the wasm MIME type streaming compilation needs.
let server, origin, browser;
const MIME = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };
before(async () => {
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>roles</title>");
    if (path === "/jwks.json") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [publicJwk] }));
    try {
      const body = await readFile(join(PKG, path));
      res.writeHead(200, { "content-type": MIME[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test("in Chromium: the session entry exports TokenSession only, the verify entry verifies (local and remote keys)", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(origin);
    const result = await page.evaluate(
      async ({ origin, token, jwk, issuer, audience }) => {
        const session = await import(`${origin}/session/web.js`);
        const verify = await import(`${origin}/verify/web.js`);
        const keys = Object.keys;
        const local = new verify.Verifier({ jwks: { keys: [jwk] }, issuer, audience });
        const remote = new verify.Verifier({ jwksUrl: `${origin}/jwks.json`, issuer, audience });
        let refused;
        try {
          local.verifySync("e30.e30.e30");
        } catch (error) {
          refused = { code: error.code, same: error instanceof session.TesseraError };
        }
        return {
          session: keys(session).sort(),
          verify: keys(verify).sort(),
          local: (await local.verify(token)).sub,
          sync: local.verifySync(token).sub,
          remote: (await remote.verify(token)).sub,
          refused,
          answer: verify.errorResponse(new Error("boom")).status,
        };
      },
      { origin, token: token(), jwk: publicJwk, issuer: ISSUER, audience: AUDIENCE },
    );
    assert.deepEqual(result.session, SESSION_API);
    assert.deepEqual(result.verify, VERIFY_API);
    assert.deepEqual([result.local, result.sync, result.remote], ["role-user", "role-user", "role-user"]);
    assert.deepEqual(result.refused, { code: "ERR_MALFORMED", same: true }, "one error class across the browser builds");
    assert.equal(result.answer, 500);
  } finally {
    await page.close();
  }
});

test("every object used after free() throws ERR_FREED (free twice is harmless)", async () => {
  const { Authority, MemoryStore, Signer, Verifier, TesseraError } = authorityEntry;
  const issuer = ISSUER;
  const objects = [
    [new verifyEntry.Verifier({ jwks: { keys: [publicJwk] } }), (v) => v.verifySync(token())],
    [new Verifier({ jwks: { keys: [publicJwk] } }), (v) => v.verify(token())],
    [new Signer({ privateJwk, issuer }), (s) => s.signSync({ sub: "x" })],
    [new MemoryStore(), (m) => m.get("k")],
    [new Authority({ issuer, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: ["https://app.example"] }), (a) => a.jwks()],
  ];
  for (const [object, use] of objects) {
    object.free();
    object.free();
    let error;
    try {
      await use(object);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof TesseraError, `${object.constructor.name}: ${error}`);
    assert.equal(error.code, "ERR_FREED", object.constructor.name);
  }
});

test("errorResponse: a Tessera error answers with its status, anything else 500 server_error (never 401)", async () => {
  for (const errorResponse of [authorityEntry.errorResponse, verifyEntry.errorResponse, authorityEntry.Authority.errorResponse]) {
    for (const foreign of [new Error("db down"), new TypeError("x"), "a string", null, undefined, { code: "ERR_EXPIRED" }]) {
      const response = errorResponse(foreign);
      assert.equal(response.status, 500, String(foreign));
      assert.deepEqual(await response.json(), { error: "server_error" });
      assert.equal(response.headers.get("www-authenticate"), null);
    }
    let expired;
    try {
      new verifyEntry.Verifier({ jwks: { keys: [publicJwk] } }).verifySync(token(), { now: Math.floor(Date.now() / 1000) + 3600 });
    } catch (error) {
      expired = error;
    }
    const response = errorResponse(expired);
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate"), /error="invalid_token"/);
  }
});
