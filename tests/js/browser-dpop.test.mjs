// TokenSession with `dpop: true` (issue 17 item 1) in Debian Chromium against the Authority with
// `dpop: "required"` in workerd, and an API that wants DPoP proofs with its own nonce
// (`verifier.verifyRequest`): one non-extractable key in IndexedDB for every tab, a reload keeping
// the binding, a cleared IndexedDB signing every tab out with its reason, the nonce fetched once
// and shared, and a copied token worthless without the key.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";
import * as oauth from "oauth4webapi";
import { startStack } from "../browser/serve.mjs";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
let stack, browser;

before(async () => {
  stack = await startStack({ accessTtl: 60, dpop: "required" });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64json = (part) => JSON.parse(Buffer.from(part, "base64url").toString());

async function openTabs(context, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await page.goto(`${stack.origin}/?dpop`);
    await page.waitForFunction(() => window.ready !== undefined);
    await page.evaluate(() => window.ready);
    pages.push(page);
  }
  return pages;
}

const apiStatus = (page) => page.evaluate(async () => (await window.session.fetch("/api/data")).status);
const logouts = (page) => page.evaluate(() => window.events.filter((e) => e.kind === "logout").map((e) => e.detail.reason));

/** The stored key record, read the way the package stores it. */
const storedKey = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("tessera-dpop", 1);
        open.onupgradeneeded = () => open.result.createObjectStore("keys");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction("keys").objectStore("keys").get("tessera-test-dpop");
          get.onsuccess = async () => {
            db.close();
            const record = get.result;
            if (!record) return resolve(null);
            let exported = "exported";
            try {
              await crypto.subtle.exportKey("jwk", record.privateKey);
            } catch (error) {
              exported = error.name;
            }
            resolve({ jkt: record.jkt, extractable: record.privateKey.extractable, usages: record.privateKey.usages, exported, type: record.privateKey.type });
          };
        };
      }),
  );

test("three tabs, one non-extractable key: DPoP tokens, proofs on every request, the API's nonce fetched once and shared", async () => {
  await stack.post("/test/reset");
  const context = await browser.newContext();
  try {
    const [a, b, c] = await openTabs(context, 3);
    assert.equal(await storedKey(a), null, "no key before login");
    const auth = [];
    context.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/auth/")) auth.push(`${new URL(r.url()).pathname} ${r.status()}`);
    });
    const state = await a.evaluate(() => window.session.login({ username: "demo", password: "demo" }));
    assert.equal(state.status, "signed-in");
    // The authority's nonce: the first login proof had none (400 use_dpop_nonce), the retry had it;
    // the refresh then knows it (one request).
    await a.evaluate(() => window.session.refresh());
    assert.deepEqual(auth, ["/auth/login 400", "/auth/login 200", "/auth/refresh 200"]);
    const key = await storedKey(b);
    assert.equal(key.extractable, false);
    assert.equal(key.type, "private");
    assert.deepEqual(key.usages, ["sign"]);
    assert.notEqual(key.exported, "exported", "exportKey on the private key fails");
    assert.equal(key.exported, "InvalidAccessError");
    await sleep(300);
    // The first API request meets the API's nonce (401 use_dpop_nonce) and is replayed once with it;
    // the nonce goes to the other tabs, whose first requests then need no round trip.
    const before = await stack.stats();
    assert.equal(await apiStatus(a), 200);
    const afterFirst = await stack.stats();
    assert.equal(afterFirst.api - before.api, 2, "one request, one replay with the nonce");
    await sleep(200);
    for (const page of [b, c]) assert.equal(await apiStatus(page), 200);
    const afterAll = await stack.stats();
    assert.equal(afterAll.api - afterFirst.api, 2, "the nonce was shared: no more round trips");
    assert.deepEqual(afterAll.jkts, [key.jkt], "every tab's token is bound to the one stored key, and every proof made by it");
    // What went over the wire: Authorization: DPoP, and a proof of the RFC 9449 shape.
    const last = afterAll.last;
    const [scheme, token] = last.authorization.split(" ");
    assert.equal(scheme, "DPoP");
    const [header, payload] = last.dpop.split(".").map((part, i) => (i < 2 ? b64json(part) : part));
    assert.equal(header.typ, "dpop+jwt");
    assert.equal(header.alg, "ES256");
    assert.deepEqual(Object.keys(header.jwk).sort(), ["crv", "kty", "x", "y"], "a public key only");
    assert.equal(payload.htm, "GET");
    assert.equal(payload.htu, `${stack.origin}/api/data`);
    assert.equal(payload.ath, createHash("sha256").update(token).digest("base64url"));
    assert.equal(typeof payload.nonce, "string");
    assert.ok(Number.isInteger(payload.iat) && Math.abs(payload.iat - Date.now() / 1000) < 60);
    assert.equal(b64json(token.split(".")[1]).cnf.jkt, key.jkt);
    // Our proof passes oauth4webapi's resource-server check (validateJwtAccessToken with DPoP).
    const as = { issuer: stack.origin, jwks_uri: `${stack.origin}/jwks.json` };
    const jwksFetch = async () => Response.json({ keys: [stack.publicJwk] });
    const request = new Request(last.url, { method: last.method, headers: { authorization: last.authorization, dpop: last.dpop } });
    const claims = await oauth.validateJwtAccessToken(as, request, "tessera-test-api", {
      [oauth.customFetch]: jwksFetch,
      [oauth.allowInsecureRequests]: true,
      requireDPoP: true,
    });
    assert.equal(claims.sub, "demo");
    // A tampered proof is refused by it too (the check is real).
    const [h, p] = last.dpop.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...b64json(p), htm: "POST" })).toString("base64url")}.${last.dpop.split(".")[2]}`;
    await assert.rejects(
      oauth.validateJwtAccessToken(as, new Request(last.url, { headers: { authorization: last.authorization, dpop: forged } }), "tessera-test-api", {
        [oauth.customFetch]: jwksFetch,
        [oauth.allowInsecureRequests]: true,
      }),
    );
  } finally {
    await context.close();
  }
});

test("a copied DPoP token is worthless without the key: refused as DPoP without a proof, as Bearer, and with a proof by another key", async () => {
  await stack.post("/test/reset");
  const context = await browser.newContext();
  try {
    const [page] = await openTabs(context, 1);
    await page.evaluate(() => window.session.login({ username: "demo", password: "demo" }));
    assert.equal(await apiStatus(page), 200);
    const { last } = await stack.stats();
    const token = last.authorization.split(" ")[1];
    // From the server side (no page, no key): the thief has the token and even a proof it saw.
    const noProof = await stack.request("/api/data", { headers: { authorization: `DPoP ${token}` } });
    assert.equal(noProof.status, 401);
    assert.match(noProof.headers.get("www-authenticate"), /^DPoP error="invalid_dpop_proof"/);
    const bearer = await stack.request("/api/data", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 401);
    const replayed = await stack.request("/api/data", { headers: { authorization: last.authorization, dpop: last.dpop } });
    assert.equal(replayed.status, 401, "the seen proof is spent");
    assert.match(replayed.headers.get("www-authenticate"), /invalid_dpop_proof/);
    const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
    const enc = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const nonce = b64json(last.dpop.split(".")[1]).nonce;
    const input = `${enc({ typ: "dpop+jwt", alg: "ES256", jwk: { crv, kty, x, y } })}.${enc({ jti: crypto.randomUUID(), htm: "GET", htu: `${stack.origin}/api/data`, iat: Math.floor(Date.now() / 1000), ath: createHash("sha256").update(token).digest("base64url"), nonce })}`;
    const sig = Buffer.from(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, Buffer.from(input))).toString("base64url");
    const otherKey = await stack.request("/api/data", { headers: { authorization: `DPoP ${token}`, dpop: `${input}.${sig}` } });
    assert.equal(otherKey.status, 401, "a proof by the thief's own key");
    // The page's own calls keep working.
    assert.equal(await apiStatus(page), 200);
  } finally {
    await context.close();
  }
});

test("a reload keeps the binding; a cleared IndexedDB signs every tab out with the reason; logout forgets the key", async () => {
  await stack.post("/test/reset");
  const context = await browser.newContext();
  try {
    const [a, b, c] = await openTabs(context, 3);
    await a.evaluate(() => window.session.login({ username: "demo", password: "demo" }));
    const { jkt } = await storedKey(a);
    // Reload: the new page resumes through the HttpOnly cookie with a proof by the stored key.
    await a.reload();
    await a.waitForFunction(() => window.ready !== undefined);
    assert.equal((await a.evaluate(() => window.ready)).status, "signed-in");
    await a.evaluate(() => window.session.refresh());
    assert.equal(await apiStatus(a), 200);
    assert.equal((await storedKey(a)).jkt, jkt, "the same key after the reload");
    assert.deepEqual((await stack.stats()).jkts, [jkt]);
    // IndexedDB cleared (as "clear site data" would): the next refresh finds no key and the
    // session ends in every tab with the reason; no Bearer fallback, no silent new key.
    await b.evaluate(() => new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase("tessera-dpop");
      request.onsuccess = resolve;
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("blocked"));
    }));
    const refused = (await stack.stats()).refreshes;
    await b.evaluate(() => window.session.refresh());
    await sleep(300);
    for (const page of [a, b, c]) {
      assert.equal((await page.evaluate(() => window.session.state)).status, "signed-out");
      assert.deepEqual(await logouts(page), ["dpop_key_lost"]);
    }
    assert.equal((await stack.stats()).refreshes, refused, "no refresh was sent without the key");
    assert.equal(await storedKey(a), null, "and no key was made behind the user's back");
    // A new login makes a new key; logout forgets it.
    await c.evaluate(() => window.session.login({ username: "demo", password: "demo" }));
    const second = await storedKey(c);
    assert.notEqual(second.jkt, jkt);
    assert.equal(await apiStatus(c), 200);
    await c.evaluate(() => window.session.logout());
    assert.equal(await storedKey(c), null);
  } finally {
    await context.close();
  }
});

test("no IndexedDB (some private modes): login refuses with ERR_DPOP_BINDING and changes nothing; never a Bearer fallback", async () => {
  const context = await browser.newContext();
  try {
    await context.addInitScript(() => {
      Object.defineProperty(window, "indexedDB", { value: undefined });
    });
    const [page] = await openTabs(context, 1);
    const before = (await stack.stats()).api;
    const result = await page.evaluate(async () => {
      try {
        await window.session.login({ username: "demo", password: "demo" });
        return "signed in";
      } catch (error) {
        return `${error.name} ${error.code}`;
      }
    });
    assert.equal(result, "TesseraError ERR_DPOP_BINDING");
    assert.equal((await page.evaluate(() => window.session.state)).status, "signed-out");
    // session.fetch sends no token at all.
    const sent = await page.evaluate(async () => (await window.session.fetch("/api/data")).status);
    assert.equal(sent, 401);
    assert.equal((await stack.stats()).api, before + 1);
  } finally {
    await context.close();
  }
});
