// The demo's end-to-end scenarios in Debian Chromium, driven through the page's data-testid
// hooks. Run against the edge worker (demo.test.mjs: workerd, Durable Object store) and the
// Node server (demo-node.test.mjs: plain Node HTTP server, RedisStore on a real Redis).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort } from "./helpers.mjs";

const ACCESS_TTL = 8; // seconds (the demo's default is 30)
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url));

/**
 * Registers the demo tests. `start({ port, accessTtl })` starts the stack on 127.0.0.1:`port`
 * and resolves a function that stops it; `screenshot` names the screenshot file to keep.
 */
export function demoSuite(label, start, { screenshot } = {}) {
  let stop, origin, browser;
  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}/`;
    stop = await start({ port, accessTtl: ACCESS_TTL });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await stop?.();
  });

  const status = (page) => page.getByTestId("session-status").textContent();

  /**
   * Runs a test body in a fresh browser context; on failure, adds each page's timeline and the
   * refresh responses to the error (what happened), then closes the context.
   */
  function inContext(body, options = {}) {
    return async () => {
      const context = await browser.newContext(options);
      const seen = watch(context);
      try {
        await body(context, seen);
      } catch (error) {
        const timelines = await Promise.all(context.pages().map((p) => p.getByTestId("timeline").innerText({ timeout: 1000 }).catch(() => "(closed)")));
        error.message += `\n--- refresh statuses: ${seen.refreshStatuses.join(" ")}\n--- timelines ---\n${timelines.join("\n---\n")}`;
        throw error;
      } finally {
        await context.close();
      }
    };
  }
  const timeline = (page) => page.getByTestId("timeline").innerText();

  async function open(context, query = "") {
    const page = await context.newPage();
    await page.goto(`${origin}${query}`);
    await page.waitForFunction(() => window.tessera !== undefined);
    return page;
  }

  async function signIn(page) {
    await page.getByTestId("login-username").fill("demo");
    await page.getByTestId("login-password").fill("demo");
    await page.getByTestId("login-submit").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-in");
  }

  /** Counts the refresh requests and API statuses the browser context makes. */
  function watch(context) {
    const seen = { refreshes: 0, api: [], refreshStatuses: [] };
    context.on("request", (r) => {
      if (r.url().endsWith("/auth/refresh") && r.method() === "POST") seen.refreshes += 1;
    });
    context.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/")) seen.api.push(r.status());
      if (r.url().endsWith("/auth/refresh")) seen.refreshStatuses.push(`${new Date().toISOString().slice(17, 23)}:${r.status()}`);
    });
    return seen;
  }

  test(`${label}: wrong credentials are refused, demo/demo signs in, the page shows the lifetimes`, async () => {
    const context = await browser.newContext();
    try {
      const page = await open(context);
      assert.equal(await status(page), "signed-out");
      await page.getByTestId("login-username").fill("demo");
      await page.getByTestId("login-password").fill("wrong");
      await page.getByTestId("login-submit").click();
      await page.waitForSelector("#login-error:not([hidden])");
      assert.equal(await status(page), "signed-out");
      await signIn(page);
      assert.match(await page.getByTestId("lifetime").innerText(), /\d+ s left/);
      assert.match(await timeline(page), /Signed in/);
    } finally {
      await context.close();
    }
  });

  test(`${label}: a proactive refresh shows in the timeline and API calls never see a 401`, inContext(async (context, seen) => {
    const page = await open(context);
    await signIn(page);
    const deadline = Date.now() + 2 * ACCESS_TTL * 1000;
    while (Date.now() < deadline) {
      await page.getByTestId("call-api").click({ timeout: 5000 });
      await page.waitForTimeout(700);
    }
    assert.match(await timeline(page), /Proactive refresh/);
    assert.match(await page.getByTestId("api-result").innerText(), /^200/);
    assert.ok(seen.api.length >= 10, `${seen.api.length} API calls`);
    assert.deepEqual([...new Set(seen.api)], [200], "no API call saw a 401");
    if (screenshot) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}${screenshot}`, fullPage: true });
    }
  }, { viewport: { width: 1200, height: 1000 } }));

  test(`${label}: two tabs refresh once per lifetime; the second tab receives the token`, inContext(async (context, seen) => {
    const first = await open(context);
    await signIn(first);
    const [second] = await Promise.all([context.waitForEvent("page"), first.getByTestId("open-tab").click()]);
    await second.waitForFunction(() => document.querySelector('[data-testid="session-status"]')?.textContent === "signed-in");
    const before = seen.refreshes;
    await first.waitForTimeout(2 * ACCESS_TTL * 1000);
    const refreshes = seen.refreshes - before;
    // One refresh every ~3/4 lifetime for the pair of tabs: 2 or 3 in two lifetimes, not twice that.
    assert.ok(refreshes >= 2 && refreshes <= 3, `${refreshes} refreshes for two tabs`);
    assert.match(await timeline(second), /shared from another tab/);
    assert.equal(await status(first), "signed-in");
    assert.equal(await status(second), "signed-in");
  }));

  test(`${label}: DPoP is on: a stolen access token replayed without the key is refused, the page's calls keep working`, async () => {
    const context = await browser.newContext();
    try {
      const page = await open(context);
      assert.equal(await page.evaluate(() => window.tessera.dpop), true);
      await signIn(page);
      await page.getByTestId("steal-access").click();
      await page.waitForFunction(() => /own API call with its key: 200/.test(document.querySelector('[data-testid="timeline"]').innerText));
      const text = await timeline(page);
      assert.match(text, /replayed DPoP without a proof: refused, 401 ERR_INVALID_DPOP_PROOF/);
      assert.match(text, /replayed as Bearer: refused, 401 ERR_DPOP_BINDING/);
      assert.doesNotMatch(text, /accepted/);
      assert.equal(await status(page), "signed-in");
      // A copied refresh cookie is refused too (bound to the key): nothing is revoked, the tab stays in.
      await page.getByTestId("simulate-theft").click();
      await page.waitForFunction(() => /copied refresh token was refused/.test(document.querySelector('[data-testid="timeline"]').innerText));
      await page.waitForTimeout(300);
      assert.equal(await status(page), "signed-in");
      // With plain Bearer (?dpop=0) the same copy works for whoever holds it: the reason DPoP is on.
      const bearer = await open(context, "?dpop=0");
      await signIn(bearer);
      await bearer.getByTestId("steal-access").click();
      await bearer.waitForFunction(() => /own API call with its key: 200/.test(document.querySelector('[data-testid="timeline"]').innerText));
      assert.match(await timeline(bearer), /replayed as Bearer: accepted/);
    } finally {
      await context.close();
    }
  });

  test(`${label}: with Bearer tokens, a stolen refresh token revokes the family and both tabs sign out`, async () => {
    const context = await browser.newContext();
    try {
      const first = await open(context, "?dpop=0");
      await signIn(first);
      const second = await open(context, "?dpop=0");
      await second.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-in");
      await first.getByTestId("simulate-theft").click();
      for (const page of [first, second]) {
        await page.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-out", null, { timeout: 15000 });
      }
      assert.match(await timeline(first), /revoked the whole session family/);
      assert.match(await timeline(second), /reuse detected or session revoked \(from another tab\)/);
      // The family is gone on the server: a reload does not resume.
      await first.reload();
      await first.waitForFunction(() => window.tessera !== undefined);
      await first.waitForTimeout(500);
      assert.equal(await status(first), "signed-out");
    } finally {
      await context.close();
    }
  });

  test(`${label}: log out everywhere signs out this browser's tabs and another device`, async () => {
    const laptop = await browser.newContext();
    const phone = await browser.newContext();
    try {
      const [a, other] = [await open(laptop), await open(phone)];
      await signIn(a);
      await signIn(other);
      const b = await open(laptop);
      await b.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-in");
      await a.getByTestId("logout-everywhere").click();
      for (const page of [a, b]) {
        await page.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-out");
      }
      // The other device's session was revoked on the server: its next refresh ends it.
      await other.evaluate(() => window.tessera.session.refresh());
      assert.equal(await status(other), "signed-out");
      // Plain logout works too.
      await signIn(a);
      await a.getByTestId("logout").click();
      await b.waitForFunction(() => document.querySelector('[data-testid="session-status"]').textContent === "signed-out");
    } finally {
      await laptop.close();
      await phone.close();
    }
  });
}
