// TokenSession's limits (issue 12, finding 6) in Debian Chromium (playwright-core) against the
// Authority in workerd (tests/browser/serve.mjs): the access token goes only to the page's origin
// and `apiOrigins`, compared whole; a `401 invalid_token` refreshes only for those origins and at
// most once per token; nonsense on the BroadcastChannel is never adopted and arms no timers; a
// freed session ignores the channel and refuses calls with ERR_FREED.
//
// Other origins are two Node servers on 127.0.0.1 (they record what they receive) reached under
// host names that Chromium maps to 127.0.0.1: `api.example:<port>` is allowed, and every
// lookalike (other host on the allowed port, same host on another port whose number starts with
// the allowed one, host with a suffix, the allowed server by IP, other scheme) is not. The page's
// `window.fetch` is wrapped too, so the headers of requests that reach no server are seen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { chromium } from "playwright-core";
import { startStack } from "../browser/serve.mjs";

const CHANNEL = "tessera-limits";
const HOSTS = ["api.example", "evil.example", "api.example.evil"];
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
  `--host-resolver-rules=${HOSTS.map((host) => `MAP ${host} 127.0.0.1`).join(", ")}`,
];
const CHALLENGE = 'Bearer error="invalid_token"';
// Ports Chromium refuses to connect to (net/base/port_util.cc), below 6700.
const UNSAFE = new Set([1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697]);

let stack, browser, allowed, other, ALLOWED;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A CORS-open server that records every request (host, method, path, Authorization, and the
 * headers a preflight asks for). `/reject?at=<ms>` answers `401 invalid_token` not before `at`;
 * `/auth/login` and `/auth/refresh` are a fake authority whose refresh gives the same opaque
 * token again (as an authority that caches tokens may).
 */
function recordingServer() {
  const state = { seen: [], refreshes: 0 };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://server");
    state.seen.push({
      host: req.headers.host,
      method: req.method,
      path: url.pathname,
      url: req.url,
      authorization: req.headers.authorization ?? null,
      preflightHeaders: req.headers["access-control-request-headers"] ?? null,
    });
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-headers": "authorization, content-type, tessera-request",
      "access-control-allow-methods": "GET, POST",
      "access-control-expose-headers": "www-authenticate",
      "cache-control": "no-store",
      vary: "origin",
    };
    for await (const _ of req);
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors).end();
    } else if (url.pathname === "/reject") {
      await sleep(Number(url.searchParams.get("at") ?? 0) - Date.now());
      res.writeHead(401, { ...cors, "www-authenticate": CHALLENGE, "content-type": "application/json" }).end('{"error":"invalid_token"}');
    } else if (url.pathname === "/redirect") {
      res.writeHead(Number(url.searchParams.get("status") ?? 307), { ...cors, location: url.searchParams.get("to") }).end();
    } else if (url.pathname === "/auth/login" || url.pathname === "/auth/refresh") {
      if (url.pathname === "/auth/refresh") state.refreshes += 1;
      const token = { access_token: "opaque-1", token_type: "Bearer", expires_in: 600, scope: "read" };
      res.writeHead(200, { ...cors, "content-type": "application/json" }).end(JSON.stringify(token));
    } else {
      res.writeHead(200, { ...cors, "content-type": "application/json" }).end('{"ok":true}');
    }
  });
  state.listen = (port) =>
    new Promise((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => {
        state.port = port;
        resolve(true);
      });
    });
  state.close = () => new Promise((resolve) => server.close(resolve));
  state.reset = () => {
    state.seen = [];
    state.refreshes = 0;
  };
  return state;
}

before(async () => {
  // Allowed origin `http://api.example:P`, the other server on port P·10+1: `http://api.example:P1…`
  // starts with the allowed origin's text, so only a whole comparison refuses it.
  for (let attempt = 0; ; attempt++) {
    const port = 2000 + Math.floor(Math.random() * 4500);
    if (UNSAFE.has(port)) continue;
    allowed = recordingServer();
    other = recordingServer();
    if ((await allowed.listen(port)) && (await other.listen(port * 10 + 1))) break;
    await Promise.allSettled([allowed.close(), other.close()]);
    if (attempt > 50) throw new Error("no free port pair");
  }
  ALLOWED = `http://api.example:${allowed.port}`;
  stack = await startStack({ accessTtl: 120 }); // no timed refresh during a test
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
});
after(async () => {
  await browser?.close();
  await stack?.close();
  await allowed?.close();
  await other?.close();
});

/**
 * A tab of the test app with its own TokenSession `window.s` (channel CHANNEL, the given
 * options) beside the page's `window.session`; `window.log` collects its events, `window.sent`
 * every request the page hands to `fetch` with its Authorization header. `errors` collects page
 * errors and console errors from `errors.length = 0` on.
 */
async function openApp(context, options = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && errors.push(`console: ${message.text()}`));
  await page.goto(stack.origin);
  await page.waitForFunction(() => window.ready !== undefined);
  await page.evaluate(() => window.ready);
  await page.evaluate(async (options) => {
    const { TokenSession, TesseraError } = await import("/pkg/session/web.js");
    window.TesseraError = TesseraError;
    window.sent = [];
    const realFetch = window.fetch.bind(window);
    window.fetch = (input, init) => {
      const request = new Request(input, init);
      window.sent.push({ url: request.url, authorization: request.headers.get("authorization") });
      return realFetch(request);
    };
    window.s = new TokenSession({ channel: "tessera-limits", ...options });
    window.log = [];
    for (const kind of ["change", "refresh", "refreshfailed", "replay", "logout"]) {
      window.s.addEventListener(kind, (event) => window.log.push({ kind, detail: event.detail }));
    }
  }, options);
  return { page, errors };
}

const signIn = (page) => page.evaluate(() => window.s.login({ username: "demo", password: "demo" }));

/** The access token the session attaches now (read from a same-origin request's header). */
async function currentToken(page) {
  return page.evaluate(async () => {
    window.sent = [];
    const { status } = await window.s.fetch("/api/data");
    return status === 200 ? window.sent.find((r) => r.url.endsWith("/api/data"))?.authorization ?? null : `status ${status}`;
  });
}

const refreshes = async () => (await stack.stats()).refreshes;

// 1. The token goes to the page's origin and to the origins in `apiOrigins`, compared whole
// (scheme, host and port): never to another origin, nor to one that merely looks like an allowed
// one. Seen both in the page (the headers handed to `fetch`) and on the wire (what servers got).
// Fails if the request's origin is not checked, or is compared by prefix.
test("the access token goes only to the page's origin and apiOrigins, compared whole", async () => {
  const context = await browser.newContext();
  try {
    const { page } = await openApp(context, { apiOrigins: [ALLOWED, "http://api.example"] });
    await signIn(page);
    const token = await currentToken(page);
    assert.match(token ?? "", /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, "a same-origin request carries the token");
    allowed.reset();
    other.reset();
    const [P, L] = [allowed.port, other.port];
    const lookalikes = [
      "https://evil.example/x", // the finding's example (nothing listens: seen in the page only)
      `http://evil.example:${L}/x`, // another origin
      `http://evil.example:${P}/x`, // another host on the allowed port
      `http://api.example:${L}/x`, // the allowed host on a port that starts with the allowed port
      `http://api.example.evil:${P}/x`, // the allowed host with a suffix
      "http://api.example.evil/x", // …of the allowed port-less origin
      `http://127.0.0.1:${P}/x`, // the allowed server by its address
      `https://api.example:${P}/x`, // the allowed host and port, another scheme
      "http://api.example:8080/x", // the port-less allowed origin's host, another port
      `${stack.origin.replace("127.0.0.1", "localhost")}/api/data`, // the page's server, another name
    ];
    const outcomes = await page.evaluate(async (urls) => {
      window.sent = [];
      const out = [];
      for (const url of urls) out.push(await window.s.fetch(url).then((r) => r.status, (e) => e.name));
      return { out, sent: window.sent };
    }, [`${ALLOWED}/echo`, `${ALLOWED}/redirect?to=${encodeURIComponent(`http://evil.example:${L}/redirected`)}`, ...lookalikes]);
    // The allowed origin got the token, in the page and on the wire; Chromium does not carry it
    // along the allowed origin's redirect to another origin.
    assert.deepEqual(outcomes.out.slice(0, 2), [200, 200]);
    assert.equal(outcomes.sent[0].authorization, token);
    const atAllowed = allowed.seen.filter((r) => r.method === "GET" && r.host === `api.example:${P}`);
    assert.deepEqual(atAllowed.map((r) => [r.path, r.authorization]), [["/echo", token], ["/redirect", token]]);
    assert.ok(other.seen.some((r) => r.path === "/redirected" && r.authorization === null), "the redirect was followed without the token");
    // No lookalike did.
    for (const url of lookalikes) {
      const sent = outcomes.sent.filter((r) => r.url === url);
      assert.equal(sent.length, 1, `${url} was requested`);
      assert.equal(sent[0].authorization, null, `the token went to ${url}`);
    }
    const wire = [...allowed.seen, ...other.seen].filter((r) => r.host !== `api.example:${P}`);
    for (const host of [`evil.example:${L}`, `evil.example:${P}`, `api.example:${L}`, `api.example.evil:${P}`, `127.0.0.1:${P}`]) {
      assert.ok(wire.some((r) => r.host === host && r.method === "GET"), `${host} received the request`);
    }
    for (const r of wire) {
      assert.equal(r.authorization, null, `${r.host} received the token`);
      assert.ok(!/authorization/i.test(r.preflightHeaders ?? ""), `${r.host} was asked to accept an Authorization header`);
    }
  } finally {
    await context.close();
  }
});

/** `n` requests made at once through `window.s.fetch`, answered `401 invalid_token` 1 by 1, `gap` ms apart. */
function rejectedRequests(page, base, n, gap) {
  return page.evaluate(
    async ({ base, n, gap }) => {
      const start = Date.now() + 300;
      const urls = Array.from({ length: n }, (_, i) => `${base}/reject?at=${start + i * gap}`);
      return Promise.all(urls.map((url) => window.s.fetch(url).then((r) => r.status, (e) => e.name)));
    },
    { base, n, gap },
  );
}

// 2. `401` with `WWW-Authenticate: Bearer error="invalid_token"` refreshes only when it comes
// from an origin the token may go to, and at most once per token: 30 such answers from another
// origin cause no refresh; 30 from the allowed origin about one token cause one, whether the
// refresh rotates the token (the Authority: later answers are replayed with the new token) or
// gives the same one back (a fake authority: later answers about it must not refresh again).
// Fails if 401s from any origin refresh, or every 401 does (18–20 refreshes), or the
// once-per-token memo goes (5–6).
test("30 × 401 invalid_token: no refresh from another origin, one per token from an allowed one", async () => {
  const context = await browser.newContext();
  try {
    const { page } = await openApp(context, { apiOrigins: [ALLOWED] });
    await signIn(page);
    const token = await currentToken(page);
    allowed.reset();
    other.reset();

    let before = await refreshes();
    const fromOther = await rejectedRequests(page, `http://evil.example:${other.port}`, 30, 30);
    assert.deepEqual(fromOther, Array(30).fill(401));
    assert.equal(await refreshes() - before, 0, "a 401 from another origin caused a refresh");
    assert.equal(other.seen.filter((r) => r.method === "GET").length, 30, "no request was replayed");

    before = await refreshes();
    const fromAllowed = await rejectedRequests(page, ALLOWED, 30, 60);
    assert.deepEqual(fromAllowed, Array(30).fill(401));
    // Each URL's first request (the later ones are replays, with the new token).
    const first = [...new Map(allowed.seen.filter((r) => r.method === "GET").reverse().map((r) => [r.url, r])).values()];
    assert.equal(first.length, 30);
    assert.deepEqual(new Set(first.map((r) => r.authorization)), new Set([token]), "the 30 requests carried one token");
    assert.equal(await refreshes() - before, 1, "30 rejections of one token: one refresh");
    assert.equal((await page.evaluate(() => window.s.state)).status, "signed-in");
  } finally {
    await context.close();
  }

  const sameToken = await browser.newContext();
  try {
    // Signed in at the fake authority (`opaque-1`, lasting 600 s: no timed refresh).
    const { page } = await openApp(sameToken, { authPath: `${ALLOWED}/auth`, apiOrigins: [ALLOWED] });
    await signIn(page);
    allowed.reset();
    const statuses = await rejectedRequests(page, ALLOWED, 30, 40);
    assert.deepEqual(statuses, Array(30).fill(401));
    const sent = allowed.seen.filter((r) => r.path === "/reject" && r.method === "GET");
    assert.deepEqual(new Set(sent.map((r) => r.authorization)), new Set(["Bearer opaque-1"]));
    assert.equal(sent.length, 30, "a request was replayed with the same token");
    assert.equal(allowed.refreshes, 1, "30 rejections of one token that the refresh gives back: one refresh");
  } finally {
    await sameToken.close();
  }
});

// 3. A same-origin script that posts nonsense on the session's BroadcastChannel (the message
// format of src/session/message.rs with a 2058 expiry, NaN, negative, string, missing and huge
// members, a receipt time in the future, a stale token) changes nothing: not the state, not the
// token, no event, no refresh, no timer. Then one well-formed message is adopted: the channel
// and the format were right, so the refusals above are the session's checks at work.
// Fails if any of adopt()'s checks goes (lifetime, receipt time, length, newer than held).
test("spoofed BroadcastChannel messages are not adopted and arm no timers", async () => {
  const context = await browser.newContext();
  try {
    const { page } = await openApp(context);
    const signedIn = await signIn(page);
    // The refresh after login is due refreshMargin (30 s) before expiry (it was due at expiry
    // when the binding passed no jitter to the core).
    assert.ok(signedIn.expiresAt - signedIn.refreshAt >= 30_000, `refresh due ${signedIn.expiresAt - signedIn.refreshAt} ms before expiry`);
    const token = await currentToken(page);
    const before = await refreshes();
    const result = await page.evaluate(async (channel) => {
      const realSetTimeout = window.setTimeout;
      let timers = 0;
      window.setTimeout = function (...args) {
        timers += 1;
        return realSetTimeout.apply(this, args);
      };
      const wait = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));
      window.log = [];
      const state = window.s.state;
      const now = Date.now();
      const y2058 = Date.UTC(2058, 0, 1);
      // A message another tab would send, but for a token that would outlive the held one.
      const good = { type: "token", accessToken: "spoofed", receivedAt: now, expiresAt: state.expiresAt + 600_000, scope: "read", subject: "mallory" };
      const deep = (n) => Array.from({ length: n }).reduce((inner) => ({ inner }), {});
      const nonsense = [
        { expiresAt: y2058 },
        { receivedAt: y2058 - 600_000, expiresAt: y2058 },
        { receivedAt: now + 3_600_000, expiresAt: now + 4_200_000 },
        { expiresAt: NaN },
        { receivedAt: NaN },
        { sessionExpiresAt: NaN },
        { iat: NaN, expiresAt: NaN },
        { expiresAt: Infinity },
        { expiresAt: 1e300 },
        { expiresAt: Number.MAX_VALUE, receivedAt: Number.MAX_VALUE - 1 },
        { expiresAt: -1 },
        { expiresAt: -y2058, receivedAt: -y2058 - 600_000 },
        { receivedAt: -5 },
        { expiresAt: String(good.expiresAt) },
        { expiresAt: new Date(y2058).toISOString() },
        { receivedAt: "now" },
        { expiresAt: { valueOf: 1 } },
        { expiresAt: [good.expiresAt] },
        { expiresAt: 10n ** 30n },
        { accessToken: undefined },
        { accessToken: "" },
        { accessToken: 12345 },
        { accessToken: ["spoofed"] },
        { accessToken: deep(1000) },
        { accessToken: "x".repeat(1 << 20), huge: true },
        { scope: "y".repeat(1 << 20), huge: true },
        { subject: { name: "mallory" } },
        { expiresAt: now + 500, receivedAt: now }, // a lifetime under 1 s
        { expiresAt: now + 10_000, receivedAt: now - 86_400_000 }, // a lifetime over a day
        { expiresAt: now - 1, receivedAt: now - 600_000 }, // expired
        { receivedAt: good.expiresAt + 1 }, // expires before it was received
        { sessionExpiresAt: now - 1 }, // the session ended before the token was received
        { receivedAt: now - 60_000, expiresAt: state.expiresAt - 1_000 }, // stale: older than the held token
        { type: "TOKEN" },
        { type: "token ", junk: Array.from({ length: 100_000 }, (_, i) => i), huge: true },
        { type: undefined },
        { type: ["token"] },
      ].map((change, i) => ({ ...good, subject: `nonsense #${i}`, ...change })); // an adopted one would show its number
      const notObjects = [null, 42, "token", [good], new Blob(["token"]), new Map(Object.entries(good))];
      const spoof = new BroadcastChannel(channel);
      for (let round = 0; round < 20; round++) {
        for (const message of [...nonsense, ...notObjects]) {
          if (round > 0 && message?.huge) continue; // huge ones once
          spoof.postMessage(message);
        }
        await wait(0);
      }
      await wait(1500);
      const after = { state: window.s.state, log: window.log.slice(), timers };
      window.sent = [];
      await window.s.fetch("/api/data");
      after.token = window.sent[0]?.authorization;
      // What the tab tells a new tab asking for its token: its own token's subject, not one a
      // refused message carried.
      const answers = [];
      spoof.onmessage = (event) => answers.push(event.data);
      spoof.postMessage({ type: "hello" });
      await wait(300);
      after.shared = answers.map((m) => ({ subject: m.subject, expiresAt: m.expiresAt }));
      spoof.postMessage(good); // the control
      await wait(200);
      const control = window.s.state;
      window.setTimeout = realSetTimeout;
      spoof.close();
      return { state, after, control, good };
    }, CHANNEL);
    assert.deepEqual(result.after.state, result.state, "the state changed");
    assert.equal(result.after.token, token, "the token changed");
    assert.deepEqual(result.after.log, [], "a spoofed message caused an event");
    assert.ok(result.after.timers <= 2, `${result.after.timers} setTimeout calls after spoofed messages`);
    assert.equal(await refreshes() - before, 0, "a spoofed message caused a refresh");
    assert.deepEqual(result.after.shared, [{ subject: "demo", expiresAt: result.state.expiresAt }], "the answer to a new tab");
    // The control is adopted: well-formed tokens from same-origin scripts are inside the trust boundary.
    assert.equal(result.control.expiresAt, result.good.expiresAt, "the well-formed message was not adopted");
    assert.equal(result.control.subject, "mallory");
  } finally {
    await context.close();
  }
});

// 4. After `free()`, messages on the channel from another tab (its login, refresh, hello and
// logout) and from a script of the same page reach nothing: no page error, no console error (the
// old listener threw "closure invoked recursively or after being dropped"). Every call on the
// freed session throws or rejects with a TesseraError `ERR_FREED`; `free()` again is a no-op.
// Fails if free() leaves the listener and the listener does not check for a freed core, or if
// free() keeps the freed core (its calls then fail with "null pointer passed to rust").
test("a freed session ignores channel messages and refuses calls with ERR_FREED", async () => {
  const context = await browser.newContext();
  try {
    const { page: a, errors } = await openApp(context);
    const { page: b } = await openApp(context);
    await signIn(a);
    await b.waitForFunction(() => window.s.state.status === "signed-in"); // B adopted A's token
    errors.length = 0;
    await a.evaluate(() => {
      // What reaches tab A on the channel (the freed session must hear none of it).
      window.delivered = [];
      new BroadcastChannel("tessera-limits").onmessage = (event) => window.delivered.push(event.data.type);
      window.s.free();
    });
    // Tab B: a refresh (its token message), a new session starting (hello), a logout.
    await b.evaluate(async () => {
      await window.s.refresh();
      const late = new (window.s.constructor)({ channel: "tessera-limits" });
      await late.start();
      await window.s.login({ username: "demo", password: "demo" });
      await window.s.logout();
      late.free();
    });
    // A script of tab A itself.
    await a.evaluate(async () => {
      const channel = new BroadcastChannel("tessera-limits");
      const now = Date.now();
      for (const message of [
        { type: "hello" },
        { type: "token", accessToken: "t", receivedAt: now, expiresAt: now + 60_000, scope: "" },
        { type: "logout", reason: "logout" },
      ]) {
        channel.postMessage(message);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      channel.close();
    });
    const delivered = await a.evaluate(() => window.delivered);
    for (const type of ["token", "hello", "logout"]) assert.ok(delivered.includes(type), `no ${type} message reached tab A`);
    assert.deepEqual(errors, [], "tab A reported errors after free()");
    const calls = await a.evaluate(async () => {
      const s = window.s;
      const calls = {
        state: () => s.state,
        accept: () => s.accept({ access_token: "t", token_type: "Bearer", expires_in: 60 }),
        start: () => s.start(),
        login: () => s.login({ username: "demo", password: "demo" }),
        refresh: () => s.refresh(),
        fetch: () => s.fetch("/api/data"),
        logout: () => s.logout(),
      };
      const out = {};
      for (const [name, call] of Object.entries(calls)) {
        try {
          const value = call();
          if (!(value instanceof Promise)) {
            out[name] = "returned";
            continue;
          }
          await value;
          out[name] = "resolved";
        } catch (error) {
          out[name] = error instanceof window.TesseraError ? error.code : `${error?.name}: ${error?.message}`;
        }
      }
      try {
        s.free();
        out.free = "no-op";
      } catch (error) {
        out.free = `${error?.name}: ${error?.message}`;
      }
      return out;
    });
    assert.deepEqual(calls, { state: "ERR_FREED", accept: "ERR_FREED", start: "ERR_FREED", login: "ERR_FREED", refresh: "ERR_FREED", fetch: "ERR_FREED", logout: "ERR_FREED", free: "no-op" });
    assert.deepEqual(errors, [], "tab A reported errors");
  } finally {
    await context.close();
  }
});
