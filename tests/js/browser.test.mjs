// TokenSession in Debian Chromium (playwright-core) against the Authority in workerd:
// one refresh per lifetime across tabs, cross-tab logout, 401 replay, and no page-visible
// surface ever holding the refresh token.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startStack } from "../browser/serve.mjs";

const ACCESS_TTL = 6; // seconds
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
let stack, browser;

before(async () => {
  stack = await startStack({ accessTtl: ACCESS_TTL });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openTabs(context, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await page.goto(stack.origin);
    // web.js initialises the module with top-level await, which may finish after "load".
    await page.waitForFunction(() => window.ready !== undefined);
    await page.evaluate(() => window.ready);
    pages.push(page);
  }
  return pages;
}

async function signIn(page) {
  return page.evaluate(() => window.session.login({ username: "demo", password: "demo" }));
}

for (const tabs of [2, 5]) {
  test(`${tabs} tabs: one refresh per access-token lifetime, shared with every tab`, async () => {
    const context = await browser.newContext();
    try {
      const [first, ...others] = await openTabs(context, tabs);
      const state = await signIn(first);
      assert.equal(state.status, "signed-in");
      await sleep(300);
      for (const page of others) assert.equal((await page.evaluate(() => window.session.state)).status, "signed-in");
      const before = (await stack.stats()).refreshes;
      const window = 2.5 * ACCESS_TTL * 1000;
      await sleep(window);
      const refreshes = (await stack.stats()).refreshes - before;
      // One tab refreshes every ~3/4 lifetime: 3 or 4 in the window; N uncoordinated tabs would make N times that.
      assert.ok(refreshes >= 2 && refreshes <= 4, `${refreshes} refreshes for ${tabs} tabs`);
      for (const page of [first, ...others]) {
        const s = await page.evaluate(() => window.session.state);
        assert.equal(s.status, "signed-in");
        assert.ok(s.expiresAt > Date.now(), "every tab holds a live token");
      }
      // Every refresh reached every other tab over BroadcastChannel.
      let shared = 0;
      for (const page of [first, ...others]) {
        shared += await page.evaluate(() => window.events.filter((e) => e.kind === "refresh" && e.detail.source === "shared").length);
      }
      assert.ok(shared >= (tabs - 1) * refreshes, `${shared} shared tokens for ${refreshes} refreshes in ${tabs} tabs`);
      // API calls from every tab succeed without a 401.
      for (const page of [first, ...others]) {
        assert.equal(await page.evaluate(async () => (await window.session.fetch("/api/data")).status), 200);
      }
    } finally {
      await context.close();
    }
  });
}

test("logout in one tab signs out every tab", async () => {
  const context = await browser.newContext();
  try {
    const [a, b, c] = await openTabs(context, 3);
    await signIn(a);
    await sleep(300);
    await b.evaluate(() => window.session.logout());
    await sleep(300);
    for (const page of [a, b, c]) assert.equal((await page.evaluate(() => window.session.state)).status, "signed-out");
    const reasons = await a.evaluate(() => window.events.filter((e) => e.kind === "logout").map((e) => e.detail.reason));
    assert.deepEqual(reasons, ["logout"]);
    // The refresh cookie is gone too: a new tab does not resume.
    const [d] = await openTabs(context, 1);
    assert.equal((await d.evaluate(() => window.session.state)).status, "signed-out");
  } finally {
    await context.close();
  }
});

test("a 401 invalid_token causes one refresh and one replay of the request", async () => {
  const context = await browser.newContext();
  try {
    const [page] = await openTabs(context, 1);
    await signIn(page);
    const before = await stack.stats();
    await stack.post("/test/reject-next");
    const result = await page.evaluate(async () => {
      const res = await window.session.fetch("/api/data", { method: "POST", body: "payload" });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(result.status, 200);
    assert.equal(result.body.body, "payload", "the body was replayed");
    const after = await stack.stats();
    assert.equal(after.api - before.api, 2, "one request, one replay");
    assert.equal(after.refreshes - before.refreshes, 1, "one refresh");
    assert.ok(await page.evaluate(() => window.events.some((e) => e.kind === "replay")));
  } finally {
    await context.close();
  }
});

test("a new tab resumes from the HttpOnly cookie with one refresh; non-401 statuses are returned as is", async () => {
  const context = await browser.newContext();
  try {
    const [a] = await openTabs(context, 1);
    await signIn(a);
    await a.close();
    const before = (await stack.stats()).refreshes;
    const [b] = await openTabs(context, 1);
    assert.equal((await b.evaluate(() => window.session.state)).status, "signed-in", "resumed from the HttpOnly cookie");
    assert.equal((await stack.stats()).refreshes - before, 1);
    assert.equal(await b.evaluate(async () => (await window.session.fetch("/nowhere")).status), 404);
  } finally {
    await context.close();
  }
});

test("no page-visible surface ever holds a refresh token; web storage stays empty", async () => {
  const context = await browser.newContext();
  try {
    const [page] = await openTabs(context, 1);
    await signIn(page);
    await page.evaluate(() => window.session.refresh());
    const surfaces = await page.evaluate(async () => {
      const res = await fetch("/auth/refresh", { method: "POST", headers: { "tessera-request": "1" } });
      const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
      const databases = indexedDB.databases ? JSON.stringify(await indexedDB.databases()) : "";
      return {
        cookie: document.cookie,
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
        databases,
        url: location.href,
        body: await res.text(),
        headers,
        events: JSON.stringify(window.events),
      };
    });
    assert.ok(stack.issued.size >= 3, "refresh tokens were issued");
    for (const token of stack.issued) {
      for (const [name, text] of Object.entries(surfaces)) assert.ok(!text.includes(token), `refresh token visible in ${name}`);
    }
    assert.equal(surfaces.cookie, "", "the refresh cookie is HttpOnly");
    assert.equal(surfaces.local + surfaces.session, "{}{}", "nothing in web storage");
  } finally {
    await context.close();
  }
});

test("invalid_grant ends the session in every tab with a logout event carrying the reason", async () => {
  const context = await browser.newContext();
  try {
    const [a, b] = await openTabs(context, 2);
    await signIn(a);
    await sleep(300);
    // Revoke the family behind the session's back (a logout request that bypasses TokenSession;
    // its Set-Cookie clears the cookie, so the next refresh presents none).
    await a.evaluate(() => fetch("/auth/logout", { method: "POST", headers: { "tessera-request": "1" } }));
    await a.evaluate(() => window.session.refresh());
    await sleep(300);
    for (const page of [a, b]) {
      assert.equal((await page.evaluate(() => window.session.state)).status, "signed-out");
      const reasons = await page.evaluate(() => window.events.filter((e) => e.kind === "logout").map((e) => e.detail.reason));
      assert.deepEqual(reasons, ["invalid_grant"]);
    }
  } finally {
    await context.close();
  }
});

test("a refresh answer that races a login (401 for the old cookie-less state) does not sign the new session out", async () => {
  const context = await browser.newContext();
  try {
    const [page] = await openTabs(context, 1);
    await stack.post("/test/slow-next");
    const state = await page.evaluate(async () => {
      const stale = window.session.refresh(); // no cookie yet: answered 401, slowly
      await new Promise((r) => setTimeout(r, 100));
      await window.session.login({ username: "demo", password: "demo" });
      await stale;
      return window.session.state;
    });
    assert.equal(state.status, "signed-in");
    assert.deepEqual(await page.evaluate(() => window.events.filter((e) => e.kind === "logout")), []);
  } finally {
    await context.close();
  }
});
