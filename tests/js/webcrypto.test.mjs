// Where Tessera signs with the runtime's own crypto: node:crypto in Node (installed by the Node
// entries), WebCrypto where it measured faster (workerd, browsers), Rust elsewhere (Deno). In Chromium the WebCrypto path
// is exercised and broken on purpose: crypto.subtle.sign is replaced to count, reject, return 63
// bytes or flip a bit; every token must still verify (jose, here in Node), and a failure or a
// wrong first signature must switch that signer to Rust for good. (workerd's WebCrypto path runs
// in authority-workerd.test.mjs, whose tokens jose verifies.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import * as jose from "jose";
import { chromium } from "playwright-core";
import { Authority, Signer, generateKeyPair } from "tessera-auth";
import { CSRF, cookieOf } from "./authority-shared.mjs";

const ISSUER = "https://auth.example";

// The Node entry installs node:crypto (OpenSSL, synchronous) as the signer. Re-installed here with
// a counting wrapper that can also break, through the same hook the entry uses.
const { createRequire } = await import("node:module");
const native = createRequire(import.meta.url)("tessera-auth");
const nodeCrypto = await import("node:crypto");
let nativeMode = "real";
let nativeCalls = 0;
function installNative() {
  native.__setNativeSigner({
    importKey: (jwk) => {
      if (nativeMode === "import-throw") throw new Error("no");
      return nodeCrypto.createPrivateKey({ key: jwk, format: "jwk" });
    },
    sign: (key, bytes) => {
      nativeCalls += 1;
      if (nativeMode === "throw") throw new Error("no");
      const signature = new Uint8Array(nodeCrypto.sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" }));
      if (nativeMode === "wrong") signature[10] ^= 1;
      return nativeMode === "short" ? signature.slice(0, 63) : signature;
    },
  });
}

test("Node: signSync, sign and the Authority sign with node:crypto; never WebCrypto", async () => {
  installNative();
  const subtle = globalThis.crypto.subtle;
  const realSubtleSign = subtle.sign;
  let subtleCalls = 0;
  subtle.sign = (...args) => {
    subtleCalls += 1;
    return realSubtleSign.apply(subtle, args);
  };
  try {
    // import-throw: the key import fails, so node:crypto is never asked to sign and Rust signs.
    const expected = (real) => ({ real, "import-throw": 0 })[nativeMode] ?? 1;
    for (const mode of ["real", "throw", "short", "wrong", "import-throw"]) {
      nativeMode = mode;
      nativeCalls = 0;
      const { privateJwk, publicJwk } = generateKeyPair({ kid: "n" });
      const key = await jose.importJWK(publicJwk, "ES256");
      const signer = new Signer({ privateJwk, issuer: ISSUER, audience: "api" });
      for (const token of [signer.signSync({ sub: "a" }), await signer.sign({ sub: "b" }), signer.signSync({ sub: "c" })]) {
        await jose.jwtVerify(token, key, { issuer: ISSUER, audience: "api" });
      }
      assert.equal(nativeCalls, expected(3), `signer, ${mode}: a failure or wrong signature switches to Rust for good`);
      nativeCalls = 0;
      const authority = new Authority({ issuer: ISSUER, audience: "api", signingKeys: [privateJwk], allowedOrigins: [CSRF.origin] });
      const post = (path, cookie) => new Request(`${ISSUER}${path}`, { method: "POST", headers: { ...CSRF, ...(cookie ? { cookie } : {}) } });
      const login = await authority.login(post("/auth/login"), { sub: "alice" });
      const refreshed = await authority.refresh(post("/auth/refresh", cookieOf(login)));
      for (const response of [login, refreshed]) {
        assert.equal(response.status, 200);
        await jose.jwtVerify((await response.json()).access_token, key, { issuer: ISSUER, audience: "api", typ: "at+jwt" });
      }
      assert.equal(nativeCalls, expected(2), `authority, ${mode}`);
    }
    assert.equal(subtleCalls, 0, "Node's WebCrypto is never used");
  } finally {
    subtle.sign = realSubtleSign;
    nativeMode = "real";
  }
});

test("Node: require(\"tessera-auth\") loads the CommonJS entry, which installs node:crypto too", async () => {
  const { createRequire } = await import("node:module");
  const cjs = createRequire(import.meta.url)("tessera-auth");
  const { privateJwk } = cjs.generateKeyPair({ kid: "cjs" });
  const signer = new cjs.Signer({ privateJwk, issuer: ISSUER, audience: "api" });
  assert.match(signer.signSync({ sub: "x" }), /^eyJ[\w-]+\.[\w-]+\.[\w-]{86}$/);
  assert.deepEqual(Object.keys(cjs).sort(), ["Authority", "MemoryStore", "Signer", "TesseraError", "Verifier", "__nodeVerifier", "__setNativeSigner", "__setNativeVerifier", "__stackPointer", "errorResponse", "generateKeyPair", "redact"]);
});

// Each Node entry, in a fresh process: verifying never loads node:crypto (a cold start does not pay
// for it); the first signature loads it and every signature goes through its `sign`.
for (const entry of ["import", "require"]) {
  test(`Node: the ${entry} entry loads node:crypto on the first signature and signs with it`, () => {
    const script = `
      const loaded = () => process.moduleLoadList.includes("NativeModule crypto");
      const t = ${entry === "import" ? 'await import("tessera-auth")' : 'require("tessera-auth")'};
      const { privateJwk, publicJwk } = t.generateKeyPair({ kid: "k" });
      const verifier = new t.Verifier({ jwks: { keys: [publicJwk] }, issuer: "${ISSUER}", audience: "api" });
      const before = loaded();
      const signer = new t.Signer({ privateJwk, issuer: "${ISSUER}", audience: "api" });
      const first = signer.signSync({ sub: "a" });
      const nodeCrypto = require("node:crypto");
      const realSign = nodeCrypto.sign;
      let calls = 0;
      nodeCrypto.sign = (...args) => { calls += 1; return realSign(...args); };
      const tokens = [first, signer.signSync({ sub: "b" }), await signer.sign({ sub: "c" })];
      const subs = tokens.map((token) => verifier.verifySync(token).sub).join("");
      console.log(JSON.stringify({ before, after: loaded(), calls, subs }));`;
    const wrapped = entry === "import"
      ? `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${script}`
      : `(async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); });`;
    // The script goes in on stdin: CommonJS `node -e` preloads node:crypto itself.
    const out = execFileSync(process.execPath, [entry === "import" ? "--input-type=module" : "--input-type=commonjs"], {
      cwd: new URL("../..", import.meta.url),
      input: wrapped,
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out), { before: false, after: true, calls: 2, subs: "abc" });
  });
}

let server, browser, page;
before(async () => {
  const root = new URL("../../pkg/", import.meta.url);
  server = createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><title>webcrypto</title>");
    }
    try {
      // The page imports the package from /pkg/ and the fault injection shared with the workerd test.
      const file = req.url === "/subtle-faults.js" ? new URL("./worker/subtle-faults.js", import.meta.url) : new URL(req.url.replace(/^\/pkg\//, ""), root);
      const path = file.pathname;
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": path.endsWith(".wasm") ? "application/wasm" : "text/javascript" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** In the page: 3 Signer.sign tokens and one signSync token, with subtle.sign (or importKey) in `mode`. */
function inPage(mode) {
  return page.evaluate(
    async ({ mode, issuer }) => {
      const { Signer, generateKeyPair } = await import("/pkg/authority/web.js");
      const { faultySubtle } = await import("/subtle-faults.js");
      const faults = faultySubtle(mode);
      try {
        const { privateJwk, publicJwk } = generateKeyPair({ kid: mode });
        const signer = new Signer({ privateJwk, issuer, audience: "api" });
        const signed = [];
        for (let i = 0; i < 3; i++) signed.push(await signer.sign({ sub: `u${i}` }));
        const signerCalls = faults.calls.sign;
        const syncToken = signer.signSync({ sub: "sync" });
        const syncCalls = faults.calls.sign - signerCalls;
        return { publicJwk, signed, syncToken, signerCalls, syncCalls, imports: faults.calls.importKey };
      } finally {
        faults.restore();
      }
    },
    { mode, issuer: ISSUER },
  );
}

const expectation = { real: "all signed by WebCrypto", "import-reject": "one import attempt, never subtle.sign, Rust signs" };
for (const mode of ["real", "reject", "short", "wrong", "import-reject"]) {
  test(`Chromium, Signer: subtle.${mode === "import-reject" ? "importKey rejects" : `sign ${mode}`}: every token verifies; ${expectation[mode] ?? "one WebCrypto attempt, then Rust"}`, async () => {
    const out = await inPage(mode);
    const key = await jose.importJWK(out.publicJwk, "ES256");
    for (const [i, token] of out.signed.entries()) assert.equal((await jose.jwtVerify(token, key, { issuer: ISSUER, audience: "api" })).payload.sub, `u${i}`);
    await jose.jwtVerify(out.syncToken, key, { issuer: ISSUER, audience: "api" });
    assert.equal(out.syncCalls, 0, "signSync always signs in Rust");
    assert.equal(out.signerCalls, { real: 3, "import-reject": 0 }[mode] ?? 1);
    assert.equal(out.imports, 1, "the key is imported once, and a failed import is not retried");
  });
}

test("workerd: the Authority signs with WebCrypto, and falls back to Rust for good when it signs wrongly", async () => {
  const { workerd } = await import("./helpers.mjs");
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "edge" });
  const mf = await workerd(new URL("./worker/webcrypto-worker.js", import.meta.url), { bindings: { PRIVATE_JWK: JSON.stringify(privateJwk), ISSUER } });
  try {
    const key = await jose.importJWK(publicJwk, "ES256");
    for (const mode of ["real", "wrong", "reject"]) {
      const out = await (await mf.dispatchFetch(`http://localhost/?mode=${mode}`)).json();
      assert.equal(out.statuses.join(), "200,200,200", JSON.stringify(out));
      for (const token of out.access) assert.equal((await jose.jwtVerify(token, key, { issuer: ISSUER, audience: "api", typ: "at+jwt" })).payload.sub, "alice");
      assert.equal(out.calls, mode === "real" ? 3 : 1, mode);
    }
  } finally {
    await mf.dispose();
  }
});
