// Cookie tossing in a real browser cookie jar (issue 12, finding 7), Debian Chromium via
// playwright-core against the Authority in Node (tests/js/tossing/stack.mjs serves both hosts).
//
// The attack: the app lives on https://app.example and keeps its refresh token in an HttpOnly
// cookie. Anyone who controls a sibling subdomain (https://evil.app.example: a user-content host,
// a forgotten marketing site, an XSS there) may set cookies for the parent domain with
// `Domain=app.example`, and the browser then sends them to app.example as well. HttpOnly and
// Secure do not stop this: they limit who can *read* a cookie, not who can *add* one with the
// same name. The attacker first signs in to the app as himself and keeps his own, valid refresh
// token; then he tosses it:
//   Set-Cookie: tessera_rt=<attacker's token>; Domain=app.example; Path=/auth; Secure; HttpOnly
// A victim with a session now sends two `tessera_rt` cookies (the authority refuses both: 401,
// every tab signs out), and a victim without one sends only the attacker's (signed in as the
// attacker: what she types or uploads goes to his account).
//
// The defence is `cookie: { hostPrefix: true }`: the cookie becomes `__Host-tessera_rt` with
// `Path=/` and no Domain. Browsers accept a `__Host-` cookie only from the host itself, Secure,
// with Path=/ and without Domain, so no sibling can set one for app.example; a plain
// `tessera_rt` that a sibling still tosses is not the authority's cookie any more and is ignored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { Authority, generateKeyPair } from "tessera-auth";
import { startStage, APP_HOST, EVIL_HOST } from "./tossing/stack.mjs";

// As in browser.test.mjs, plus name resolution for the two hosts and trust in the test certificate
// (by its key hash, so the pages are ordinary https origins without certificate errors).
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
let stage, browser;

before(async () => {
  stage = await startStage();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      ...ARGS,
      `--host-resolver-rules=MAP ${APP_HOST} 127.0.0.1, MAP ${EVIL_HOST} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${stage.spkiHash}`,
    ],
  });
});
after(async () => {
  await browser?.close();
  await stage?.close();
});

const NAME = "tessera_rt";
const HOST_NAME = `__Host-${NAME}`;

/** The cookies of a Cookie header as [name, value] pairs, in the order sent. */
const pairs = (header) =>
  (header ?? "").split(";").map((s) => s.trim()).filter(Boolean).map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)]);
/** The values sent under `name`. */
const sent = (header, name) => pairs(header).filter(([n]) => n === name).map(([, v]) => v);
/** The `sub` of an access token (its signature is checked by the authority in `whoIs`). */
const subOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()).sub;
/** Short, log-safe names for token values in assertion messages. */
const label = (labels) => (value) => labels[value] ?? `other:${value.slice(0, 12)}…`;

/** The refresh cookies in the browser's jar (every host), as the jar holds them. */
async function jar(context) {
  return (await context.cookies())
    .filter((c) => c.name.endsWith(NAME))
    .map(({ name, value, domain, path, secure, httpOnly }) => ({ name, value, domain, path, secure, httpOnly }));
}

/** A tab on the app. */
async function openApp(context) {
  const page = await context.newPage();
  await page.goto(`${stage.appOrigin}/`);
  return page;
}

/** The app's own calls, made by the page with fetch (the browser adds Origin and cookies). */
const call = (page, path, body) =>
  page.evaluate(async ([path, body]) => {
    const res = await fetch(path, {
      method: "POST",
      headers: { "tessera-request": "1", ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }, [path, body]);

/** POST /auth/refresh from the app's page: the answer and the Cookie header the server received. */
async function refresh(page) {
  const before = stage.refreshes.length;
  const answer = await call(page, "/auth/refresh");
  assert.equal(stage.refreshes.length, before + 1, "the server logged the refresh");
  return { ...answer, cookie: stage.refreshes.at(-1).cookie };
}

/** The subject the authority itself vouches for (signature, claims and session checked). */
const whoIs = async (accessToken) => (await stage.authority.verify(accessToken)).sub;

/**
 * A tab of the same browser visits the sibling subdomain, whose answer tosses `stage.toss`.
 * Returns the Set-Cookie lines Chromium refused (with its reasons, from the DevTools protocol)
 * and what the page's document.cookie attempts left readable there.
 */
async function visitEvil(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const blocked = [];
  cdp.on("Network.responseReceivedExtraInfo", (event) => {
    for (const b of event.blockedCookies ?? []) blocked.push({ line: b.cookieLine, reasons: b.blockedReasons });
  });
  await cdp.send("Network.enable");
  const response = await page.goto(`${stage.evilOrigin}/`);
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).hostname, EVIL_HOST);
  const visible = await page.evaluate(() => window.visible);
  await cdp.detach();
  await page.close();
  return { blocked, visible };
}

test("default cookie (no prefix): a sibling's tossed tessera_rt reaches the app: 401 for the victim until she signs out; her logout ends the tossed session too", async (t) => {
  stage.use(); // the default: tessera_rt; Path=/auth, no prefix
  const mallory = await stage.attackerToken("mallory");
  assert.equal(mallory.name, NAME);
  stage.toss.headers.push(`${NAME}=${mallory.value}; Domain=${APP_HOST}; Path=/auth; Secure; HttpOnly`);

  const context = await browser.newContext();
  try {
    const app = await openApp(context);
    assert.equal((await call(app, "/auth/login", { sub: "victim" })).status, 200);
    // Control: before the attack a refresh carries one cookie and answers as the victim.
    const control = await refresh(app);
    assert.equal(control.status, 200);
    assert.equal(await whoIs(control.body.access_token), "victim");
    assert.equal(sent(control.cookie, NAME).length, 1, control.cookie);
    const victim = (await jar(context)).find((c) => c.domain === APP_HOST).value;
    const who = label({ [victim]: "victim", [mallory.value]: "mallory" });

    // The victim opens a page on the sibling subdomain; its answer sets the tossed cookie.
    const visit = await visitEvil(context);
    assert.deepEqual(visit.blocked, [], "Chromium accepts a Domain=app.example cookie from evil.app.example");
    // The jar now holds two tessera_rt for app.example: the victim's host-only cookie and the
    // attacker's domain cookie (Domain=app.example is stored as ".app.example").
    assert.deepEqual(
      (await jar(context)).map((c) => [c.name, c.domain, c.path, who(c.value), c.secure, c.httpOnly]).sort(),
      [[NAME, ".app.example", "/auth", "mallory", true, true], [NAME, APP_HOST, "/auth", "victim", true, true]],
    );

    // The victim's next refresh, from her own app page, carries both cookies.
    const attacked = await refresh(app);
    t.diagnostic(`server received Cookie: ${pairs(attacked.cookie).map(([n, v]) => `${n}=<${who(v)}>`).join("; ")}`);
    assert.deepEqual(sent(attacked.cookie, NAME).map(who).sort(), ["mallory", "victim"], "two tessera_rt cookies reached app.example");
    // The authority refuses a request with the cookie twice: 401, every tab signs out.
    assert.equal(attacked.status, 401);
    assert.equal(attacked.body.code, "ERR_INVALID_GRANT");

    // The 401 clears nothing (the authority does not know which of the two is its own), so both
    // cookies stay and the victim is locked out for as long as the tossed cookie lives (its
    // Max-Age is the attacker's choice): signing in again replaces only her own cookie ...
    assert.deepEqual((await jar(context)).map((c) => [c.domain, who(c.value)]).sort(), [[".app.example", "mallory"], [APP_HOST, "victim"]]);
    assert.equal((await call(app, "/auth/login", { sub: "victim" })).status, 200);
    const relogged = await refresh(app);
    assert.equal(sent(relogged.cookie, NAME).length, 2, relogged.cookie);
    assert.equal(relogged.status, 401, "signing in again does not help");

    // ... and signing out (what a user does next) clears a tessera_rt with a Set-Cookie that has
    // no Domain, which deletes only her host-only cookie. The tossed domain cookie stays ...
    assert.equal((await call(app, "/auth/logout")).status, 200);
    assert.deepEqual((await jar(context)).map((c) => [c.domain, who(c.value)]), [[".app.example", "mallory"]]);
    // ... but logout ended every session whose cookie came with it, the tossed one included, so
    // the next refresh (a reload, a new tab resuming) that carries only the attacker's token is
    // refused: she is not signed in to his account. (Before, this refresh answered 200 as mallory.)
    const hijacked = await refresh(app);
    t.diagnostic(`after her logout, Cookie: ${pairs(hijacked.cookie).map(([n, v]) => `${n}=<${who(v)}>`).join("; ")} → ${hijacked.status}`);
    assert.deepEqual(sent(hijacked.cookie, NAME).map(who), ["mallory"]);
    assert.equal(hijacked.status, 401, "the tossed session ended with her logout");
  } finally {
    await context.close();
  }
});

test("default cookie (no prefix): a victim without a session who got only the tossed cookie is signed in as the attacker", async (t) => {
  stage.use();
  const mallory = await stage.attackerToken("mallory");
  stage.toss.headers.push(`${NAME}=${mallory.value}; Domain=${APP_HOST}; Path=/auth; Secure; HttpOnly`);
  const context = await browser.newContext(); // a fresh browser profile: no session of her own
  try {
    await visitEvil(context);
    const app = await openApp(context);
    // The app starts by trying to resume a session with a refresh.
    const resumed = await refresh(app);
    t.diagnostic(`server received Cookie: ${pairs(resumed.cookie).map(([n, v]) => `${n}=<${v === mallory.value ? "mallory" : "?"}>`).join("; ")} → ${resumed.status}`);
    assert.deepEqual(sent(resumed.cookie, NAME), [mallory.value], "only the attacker's cookie was sent");
    assert.equal(resumed.status, 200);
    assert.equal(await whoIs(resumed.body.access_token), "mallory", "signed in as the attacker");
  } finally {
    await context.close();
  }
});

/**
 * Every way a sibling may try to toss a cookie at an app that uses `hostPrefix` (all carry the
 * attacker's valid token). `withScriptPlain` adds a plain cookie with Path=/ set by script.
 */
function tossEverything(value, { withScriptPlain }) {
  stage.toss.headers.push(
    // A plain-named cookie: browsers accept it, the authority no longer reads this name.
    `${NAME}=${value}; Domain=${APP_HOST}; Path=/auth; Secure; HttpOnly`,
    // The __Host- name with Domain: Chromium must refuse both (a __Host- cookie has no Domain).
    `${HOST_NAME}=${value}; Domain=${APP_HOST}; Path=/; Secure; HttpOnly`,
    `${HOST_NAME}=${value}; Domain=${APP_HOST}; Path=/auth; Secure; HttpOnly`,
    // The only __Host- cookie a sibling can set is its own: host-only for evil.app.example.
    `${HOST_NAME}=${value}; Path=/; Secure; HttpOnly`,
  );
  stage.toss.script.push(`${HOST_NAME}=${value}; Domain=${APP_HOST}; Path=/; Secure`);
  if (withScriptPlain) stage.toss.script.push(`${NAME}=${value}; Domain=${APP_HOST}; Path=/; Secure`);
}

/** Chromium refused the two __Host- lines that carry a Domain, for their prefix. */
function assertHostPrefixRefused(blocked) {
  const refused = blocked.filter((b) => b.line.startsWith(`${HOST_NAME}=`));
  assert.deepEqual(refused.map((b) => b.line.split("; ").slice(2, 3)[0]).sort(), ["Path=/", "Path=/auth"], JSON.stringify(blocked));
  for (const b of refused) {
    assert.match(b.line, new RegExp(`Domain=${APP_HOST.replace(".", "\\.")}`));
    assert.ok(b.reasons.includes("InvalidPrefix"), `refused for its prefix: ${b.reasons}`);
  }
  assert.equal(blocked.length, 2, "nothing else was refused");
}

test("hostPrefix: true: the same tossing, also as __Host-tessera_rt with Domain, leaves the victim signed in as herself", async (t) => {
  stage.use({ hostPrefix: true });
  const mallory = await stage.attackerToken("mallory");
  tossEverything(mallory.value, { withScriptPlain: true });

  const context = await browser.newContext();
  try {
    const app = await openApp(context);
    assert.equal((await call(app, "/auth/login", { sub: "victim" })).status, 200);
    const victim = (await jar(context)).find((c) => c.domain === APP_HOST).value;
    const who = label({ [victim]: "victim", [mallory.value]: "mallory" });

    const visit = await visitEvil(context);
    const attacked = await refresh(app);
    t.diagnostic(`server received Cookie: ${pairs(attacked.cookie).map(([n, v]) => `${n}=<${who(v)}>`).join("; ")} → ${attacked.status}`);
    // The outcome: the refresh answers 200 for the victim, with an access token for the victim.
    assert.equal(attacked.status, 200, JSON.stringify(attacked.body));
    assert.equal(await whoIs(attacked.body.access_token), "victim");
    assert.equal(subOf(attacked.body.access_token), "victim");

    // Why: exactly one __Host-tessera_rt reached the app, and it is the victim's.
    assert.deepEqual(sent(attacked.cookie, HOST_NAME).map(who), ["victim"]);
    // The tossed plain cookies were sent too (Path=/auth by header, Path=/ by script), and ignored.
    assert.deepEqual(sent(attacked.cookie, NAME).map(who), ["mallory", "mallory"]);
    assert.deepEqual(pairs(attacked.cookie).map(([n]) => n).sort(), [HOST_NAME, NAME, NAME]);
    // Chromium refused every __Host- cookie with a Domain: by header (seen in DevTools) ...
    for (const b of visit.blocked) t.diagnostic(`Chromium refused ${b.line.replace(mallory.value, "<mallory>")}: ${b.reasons}`);
    assertHostPrefixRefused(visit.blocked);
    // ... and by script: the only script cookie the evil page can read back is the plain one.
    assert.equal(visit.visible, `${NAME}=${mallory.value}`);
    // The jar: the victim's __Host- cookie (host-only, Path=/, Secure, HttpOnly; rotated by the
    // 200) is the only __Host- cookie for app.example; the attacker's __Host- cookie is bound to
    // his own host, and the plain tossed cookies sit beside it, harmless.
    const rotated = (await jar(context)).find((c) => c.name === HOST_NAME && c.domain === APP_HOST)?.value;
    assert.ok(rotated && rotated !== victim, "the 200 rotated the victim's cookie");
    const who2 = label({ [rotated]: "victim", [mallory.value]: "mallory" });
    assert.deepEqual((await jar(context)).map((c) => [c.name, c.domain, c.path, who2(c.value), c.secure, c.httpOnly]).sort(), [
      [HOST_NAME, APP_HOST, "/", "victim", true, true],
      [HOST_NAME, EVIL_HOST, "/", "mallory", true, true],
      [NAME, ".app.example", "/", "mallory", true, false],
      [NAME, ".app.example", "/auth", "mallory", true, true],
    ]);

    // The session goes on as the victim.
    const again = await refresh(app);
    assert.deepEqual(sent(again.cookie, HOST_NAME), [rotated]);
    assert.equal(again.status, 200);
    assert.equal(await whoIs(again.body.access_token), "victim");
  } finally {
    await context.close();
  }
});

test("hostPrefix: true: a victim without a session who got only the tossed cookies is not signed in as the attacker", async (t) => {
  stage.use({ hostPrefix: true });
  const mallory = await stage.attackerToken("mallory");
  // No second plain cookie here: with one tossed tessera_rt, an app without the prefix would sign
  // her in as the attacker (the test above without a prefix), so the 401 below is the prefix's doing.
  tossEverything(mallory.value, { withScriptPlain: false });
  const context = await browser.newContext();
  try {
    const visit = await visitEvil(context);
    assertHostPrefixRefused(visit.blocked);
    const app = await openApp(context);
    const resumed = await refresh(app);
    t.diagnostic(`server received Cookie: ${pairs(resumed.cookie).map(([n, v]) => `${n}=<${v === mallory.value ? "mallory" : "?"}>`).join("; ")} → ${resumed.status}`);
    assert.deepEqual(sent(resumed.cookie, HOST_NAME), [], "no __Host- cookie reached app.example");
    assert.deepEqual(sent(resumed.cookie, NAME), [mallory.value], "the tossed plain cookie did");
    assert.equal(resumed.status, 401, "and it does not sign her in");
    assert.equal(resumed.body.code, "ERR_INVALID_GRANT");
  } finally {
    await context.close();
  }
});

test("a __Host- cookie name given directly is refused: the prefix comes only with hostPrefix (and Path=/)", () => {
  const { privateJwk } = generateKeyPair();
  for (const name of [HOST_NAME, "__host-rt"]) {
    assert.throws(
      () => new Authority({ issuer: "https://a", audience: "b", signingKeys: [privateJwk], allowedOrigins: [stage.appOrigin], cookie: { name } }),
      (error) => error.code === "ERR_INVALID_OPTIONS",
      name,
    );
  }
});
