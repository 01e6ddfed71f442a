// redact(text) on realistic log lines, and the Authority's log hook (only redacted lines).
// The second half (issue 12, finding 5) holds the inputs the unkeyed redactor of 10a8828 missed,
// and the keyed fingerprints that replaced its SHA-256 prefix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, createHmac, createPrivateKey, randomBytes, sign } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { Authority, TesseraError, Verifier, generateKeyPair, redact } from "tessera-auth";
import { redact as redactVerify } from "tessera-auth/verify";
import { redact as redactAuthority } from "tessera-auth/authority";
import { CSRF, cookieOf } from "./authority-shared.mjs";

const ORIGIN = "https://app.example";

/** A real access token and refresh token from an Authority. */
async function realTokens() {
  const { privateJwk } = generateKeyPair({ kid: "log" });
  const authority = new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [ORIGIN] });
  const login = await authority.login(new Request("https://auth.example/auth/login", { method: "POST", headers: CSRF }), { sub: "alice", scope: "read" });
  const refreshToken = cookieOf(login).split("=")[1];
  const { access_token: accessToken } = await login.json();
  return { accessToken, refreshToken };
}

const FP = /\[(jwt|refresh|bearer|basic|cookie|secret) [0-9a-f]{8}\]/g;

test("redact scrubs tokens from realistic log lines and keeps the rest", async () => {
  const { accessToken: at, refreshToken: rt } = await realTokens();
  const basic = Buffer.from("alice:correct horse").toString("base64");
  const lines = [
    // Access log with a token in the query string (a common leak).
    `127.0.0.1 - - [26/Nov/2026:06:40:01 +0000] "GET /callback?access_token=${at}&state=xyz HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
    // curl -v
    `> Authorization: Bearer ${at}`,
    `> Cookie: tessera_rt=${rt}; _ga=GA1.2.1234567890.1700000000`,
    `< set-cookie: tessera_rt=${rt}; Path=/auth; Max-Age=1209600; HttpOnly; Secure; SameSite=Strict`,
    `> Authorization: Basic ${basic}`,
    // A JSON request log (pino/winston style).
    JSON.stringify({ level: 30, msg: "request", req: { method: "POST", url: "/auth/refresh", headers: { host: "app.example", cookie: `tessera_rt=${rt}`, authorization: `Bearer ${at}` } } }),
    // A token response body logged by mistake.
    JSON.stringify({ access_token: at, token_type: "Bearer", expires_in: 300, refresh_token: rt }),
    // util.inspect of headers (console.log of an object).
    inspect({ host: "app.example", cookie: `tessera_rt=${rt}`, "user-agent": "Mozilla/5.0" }),
    // An error message quoting the token, and a stack trace line.
    `Error: jwt expired: ${at}\n    at verify (file:///srv/app.mjs:10:5)`,
    // A form body.
    `body: grant_type=refresh_token&refresh_token=${rt}&client_id=web`,
  ];
  const out = lines.map((line) => redact(line));
  for (const [i, line] of out.entries()) {
    for (const secret of [at, rt, basic, at.split(".")[2], rt.split(".")[3]]) assert.ok(!line.includes(secret), `line ${i} leaks: ${line}`);
    assert.equal(redact(line), line, "idempotent");
  }
  // The rest of each line is intact, and the same token has the same fingerprint everywhere.
  const [atFp] = redact(at).match(FP);
  const [rtFp] = redact(rt).match(FP);
  assert.match(atFp, /^\[jwt [0-9a-f]{8}\]$/);
  assert.match(rtFp, /^\[refresh [0-9a-f]{8}\]$/);
  assert.equal(out[0], `127.0.0.1 - - [26/Nov/2026:06:40:01 +0000] "GET /callback?access_token=${atFp}&state=xyz HTTP/1.1" 200 512 "-" "curl/8.5.0"`);
  assert.equal(out[1], `> Authorization: Bearer ${atFp}`);
  assert.match(out[2], new RegExp(`^> Cookie: tessera_rt=${escape(rtFp)}; _ga=\\[cookie [0-9a-f]{8}\\]$`));
  assert.equal(out[3], `< set-cookie: tessera_rt=${rtFp}; Path=/auth; Max-Age=1209600; HttpOnly; Secure; SameSite=Strict`);
  assert.match(out[4], /^> Authorization: Basic \[basic [0-9a-f]{8}\]$/);
  assert.deepEqual(JSON.parse(out[5]).req.headers, { host: "app.example", cookie: `tessera_rt=${rtFp}`, authorization: `Bearer ${atFp}` });
  assert.deepEqual(JSON.parse(out[6]), { access_token: atFp, token_type: "Bearer", expires_in: 300, refresh_token: rtFp });
  assert.match(out[8], /^Error: jwt expired: \[jwt [0-9a-f]{8}\]\n {4}at verify \(file:\/\/\/srv\/app\.mjs:10:5\)$/);
  assert.equal(out[9], `body: grant_type=refresh_token&refresh_token=${rtFp}&client_id=web`);
  // Text without credentials is unchanged, including challenges and non-ASCII.
  for (const plain of ['WWW-Authenticate: Bearer error="invalid_token"', "user ünïcode ✓ signed in", "GET /api/hello 200 3ms", ""]) {
    assert.equal(redact(plain), plain);
  }
});

const escape = (s) => s.replace(/[[\]]/g, "\\$&");

test("redact refuses non-strings with a coded error", () => {
  for (const bad of [undefined, null, 5, {}, Buffer.from("x")]) assert.throws(() => redact(bad), { code: "ERR_INVALID_OPTIONS" });
});

test("the Authority's log hook gets redacted lines for every event, and a throwing logger changes nothing", async () => {
  const lines = [];
  const { privateJwk } = generateKeyPair();
  const base = { issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [ORIGIN], reuseGrace: 0 };
  assert.throws(() => new Authority({ ...base, log: "console" }), { code: "ERR_INVALID_OPTIONS", claim: "log" });
  const authority = new Authority({ ...base, log: (line, level) => lines.push(`${level} ${line}`) });
  const post = (path, cookie) => new Request(`https://auth.example${path}`, { method: "POST", headers: { ...CSRF, ...(cookie ? { cookie } : {}) } });
  // A username that is a token-shaped string is scrubbed too.
  const sub = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.";
  const r0 = await authority.login(post("/auth/login"), { sub, scope: "read" });
  const c0 = cookieOf(r0);
  const r1 = await authority.refresh(post("/auth/refresh", c0));
  await new Promise((r) => setTimeout(r, 1100));
  const replay = await authority.refresh(post("/auth/refresh", c0)); // reuse → family revoked
  assert.equal(replay.status, 401);
  await authority.logout(post("/auth/logout", cookieOf(r1)));
  await authority.revokeSubject("bob");
  const sid = c0.split("=")[1].split(".")[1];
  const expected = [
    `info tessera: session started sid=${sid} sub=[jwt `,
    `info tessera: refresh rotated sid=${sid} generation=1`,
    `warn tessera: refresh token reuse: session family revoked sid=${sid} sub=[jwt `,
    "warn tessera: refresh refused: ERR_INVALID_GRANT",
    "info tessera: subject revoked everywhere sub=bob epoch=1",
  ];
  for (const start of expected) assert.ok(lines.some((l) => l.startsWith(start)), `missing "${start}" in\n${lines.join("\n")}`);
  const secrets = [c0.split("=")[1], cookieOf(r1).split("=")[1], (await r0.json()).access_token, sub];
  for (const line of lines) for (const secret of secrets) assert.ok(!line.includes(secret), line);

  // A logger that throws is ignored: the answers are the same.
  const throwing = new Authority({ ...base, log: () => { throw new Error("disk full"); } });
  const ok = await throwing.login(post("/auth/login"), { sub: "carol" });
  assert.equal(ok.status, 200);
  assert.equal((await throwing.refresh(post("/auth/refresh", cookieOf(ok)))).status, 200);
});

// ---------------------------------------------------------------------------------------------
// Issue 12, finding 5: inputs the redactor of 10a8828 let through, and keyed fingerprints.
// Each test names, in a comment, what the old scan did with its input.

/** The deployment's fingerprint key (32 random bytes, base64url): the exact expectations use it. */
const KEY = randomBytes(32).toString("base64url");
const scrub = (text) => redact(text, { fingerprintKey: KEY });
/** The documented fingerprint: the first 32 bits of HMAC-SHA-256 of the replaced text, in hex. */
const mac8 = (key, text) => createHmac("sha256", Buffer.from(key, "base64url")).update(text).digest("hex").slice(0, 8);
const fp = (label, secret, key = KEY) => `[${label} ${mac8(key, secret)}]`;
/** A string as it appears inside a JSON string (quotes and backslashes escaped). */
const inJson = (s) => JSON.stringify(s).slice(1, -1);

/**
 * `scrub(line)` is exactly `line` with each `[secret, label]` replaced by its fingerprint (so the
 * rest of the line survives), holds none of the secrets, and is a fixed point.
 */
function assertScrubbed(line, replacements) {
  const out = scrub(line);
  let expected = line;
  for (const [secret, label] of replacements) expected = expected.replaceAll(secret, fp(label, secret));
  assert.equal(out, expected, `input: ${JSON.stringify(line)}`);
  for (const [secret] of replacements) assert.ok(!out.includes(secret), out);
  assert.equal(scrub(out), out, "idempotent");
}

// Opaque credentials (neither `eyJ…` nor `tsr1.…`): only their context says they are secrets. The
// old scan still found a JWT or refresh token anywhere after a non-word character, so the tests
// that depend on context use these.
const OPAQUE = {
  access: "ya29.a0AfB_byDq3Kz9XwVt-Q7mN2pL8sR4uE6hJ1cF0gT5iO3nY",
  refresh: "1//0gLxQz7vR-8KpT2mWcN4yF6hS3jD9bV1aE5uI0oP",
  id: "idt_7Hq2Lx9Vw3Rk5Nt8Pz1Mc4Bs6Df0Gj",
  sid: "s%3AQm9ndXNTZXNzaW9uSWQx.Wq3rT9vLx2Kp8Nz5Yc7Hb1Jd4Fg6Ms0Ae", // express-session's signed cookie
};

/**
 * One GET to a node:http server on 127.0.0.1: `handle(req, res)` runs in the server before it
 * answers; resolves the client's IncomingMessage once its body is read.
 */
async function exchange(handle, headers = {}) {
  const server = http.createServer((req, res) => {
    handle(req, res);
    res.end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { port } = server.address();
    const res = await new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path: "/auth/refresh", headers, agent: false }, resolve).on("error", reject);
    });
    res.resume();
    await once(res, "end");
    return res;
  } finally {
    server.close();
  }
}

test("finding 5: a token right after a URL escape (%3D, %22) or a JSON \\u0022 escape is scrubbed", async () => {
  // Old: a match could start only after a non-word character, and the D of %3D, the 2 of %22 and
  // of \u0022 are word characters: the refresh token after them survived whole (of the JWT, the
  // header survived; its payload, after a dot, was caught).
  const { accessToken: at, refreshToken: rt } = await realTokens();
  const lines = [
    // A URL-encoded Cookie header (a proxy or WAF logging the raw request).
    `raw_headers=${encodeURIComponent(`Cookie: tessera_rt=${rt}; theme=dark`)}`,
    // URL-encoded JSON state in a redirect.
    `GET /callback?state=${encodeURIComponent(JSON.stringify({ rt, at }))} HTTP/1.1 302`,
    // JSON whose quotes are written \u0022 (PHP's JSON_HEX_QUOT, some WAF logs).
    `{"state":"{\\u0022rt\\u0022:\\u0022${rt}\\u0022,\\u0022at\\u0022:\\u0022${at}\\u0022}"}`,
  ];
  assert.match(lines[0], new RegExp(`%3D${rt}%3B`));
  assert.match(lines[1], new RegExp(`%22${rt}%22`));
  for (const line of lines) assertScrubbed(line, [[rt, "refresh"], [at, "jwt"]]);
});

test("finding 5: token members in escaped JSON (JSON logged inside a JSON string) are scrubbed", () => {
  // A token endpoint's answer logged as a string field of a JSON log line: its quotes are \".
  // Old: after `refresh_token` it expected `"`, `:` or `=`, found `\` and left the value alone.
  const body = JSON.stringify({ access_token: OPAQUE.access, token_type: "Bearer", expires_in: 3600, refresh_token: OPAQUE.refresh, id_token: OPAQUE.id });
  const line = JSON.stringify({ level: 30, msg: "token endpoint answered", body });
  assert.ok(line.includes(`\\"refresh_token\\":\\"${OPAQUE.refresh}\\"`));
  assertScrubbed(line, [[OPAQUE.access, "secret"], [OPAQUE.refresh, "secret"], [OPAQUE.id, "secret"]]);
  // Each member alone, first or last in its object.
  for (const name of ["access_token", "refresh_token", "id_token"]) {
    assertScrubbed(JSON.stringify({ msg: JSON.stringify({ [name]: OPAQUE.refresh }) }), [[OPAQUE.refresh, "secret"]]);
    assertScrubbed(JSON.stringify({ msg: JSON.stringify({ x: 1, [name]: OPAQUE.refresh }) }), [[OPAQUE.refresh, "secret"]]);
  }
});

test("finding 5: Node's set-cookie array, as util.inspect and JSON.stringify print real node:http headers, is scrubbed", async () => {
  // Old: after `'set-cookie':` it expected a cookie pair and found `[`, so it matched nothing; the
  // refresh token was still caught by its tsr1. shape, every other cookie value survived.
  const { refreshToken: rt } = await realTokens();
  const cookies = [`tessera_rt=${rt}; Path=/auth; Max-Age=1209600; HttpOnly; Secure; SameSite=Strict`, `connect.sid=${OPAQUE.sid}; Path=/; HttpOnly`];
  const printed = [];
  const incoming = await exchange((req, res) => {
    res.setHeader("set-cookie", cookies);
    // The server's ServerResponse headers, as console.log and a JSON logger write them.
    printed.push(inspect(res.getHeaders()), JSON.stringify(res.getHeaders()));
  });
  // The client's IncomingMessage has the same array (plus date, connection, …).
  assert.deepEqual(incoming.headers["set-cookie"], cookies);
  printed.push(inspect(incoming.headers), JSON.stringify(incoming.headers), `upstream answered ${inspect(incoming.headers, { breakLength: Infinity })}`);
  assert.ok(printed[0].includes(`'set-cookie': [\n    'tessera_rt=`), printed[0]); // multi-line inspect output
  for (const line of printed) assertScrubbed(line, [[rt, "refresh"], [OPAQUE.sid, "cookie"]]);
});

test("finding 5: the cookies after a JSON-valued cookie are scrubbed", async () => {
  // Old: the value of `prefs` stopped at its first `"` (outside the cookie grammar) and the pair
  // scan ended there; the tsr1. token was caught by its shape, connect.sid survived.
  const { refreshToken: rt } = await realTokens();
  const prefs = '{"theme":"dark","lang":"en"}';
  const cookie = `prefs=${prefs}; tessera_rt=${rt}; connect.sid=${OPAQUE.sid}`;
  let received;
  await exchange((req) => { received = req.headers; }, { cookie });
  assert.equal(received.cookie, cookie, "a real IncomingMessage carries it as sent");
  const secrets = [[rt, "refresh"], [OPAQUE.sid, "cookie"]];
  assertScrubbed(`> Cookie: ${cookie}`, [[prefs, "cookie"], ...secrets]);
  assertScrubbed(inspect(received), [[prefs, "cookie"], ...secrets]);
  // In JSON the value is scrubbed as written there (escaped quotes and all).
  assertScrubbed(JSON.stringify(received), [[inJson(prefs), "cookie"], ...secrets]);
});

test("finding 5: Cookie pairs written with spaces around '=' are scrubbed", () => {
  // Old: a pair needed `=` right after its name, so the first spaced pair ended the match and no
  // value of the header was scrubbed (a tsr1. token only by its shape).
  const sid = OPAQUE.sid;
  const cases = [
    ["Cookie: a = b", `Cookie: a = ${fp("cookie", "b")}`],
    [`Cookie: connect.sid = ${sid}; theme = dark`, `Cookie: connect.sid = ${fp("cookie", sid)}; theme = ${fp("cookie", "dark")}`],
    [`cookie : connect.sid= ${sid}`, `cookie : connect.sid= ${fp("cookie", sid)}`],
    [`Cookie: connect.sid =${sid}`, `Cookie: connect.sid =${fp("cookie", sid)}`],
    [`Set-Cookie: connect.sid = ${sid}; Path=/`, `Set-Cookie: connect.sid = ${fp("cookie", sid)}; Path=/`],
    [JSON.stringify({ cookie: `connect.sid = ${sid}` }), JSON.stringify({ cookie: `connect.sid = ${fp("cookie", sid)}` })],
    [inspect({ cookie: `connect.sid = ${sid}` }), inspect({ cookie: `connect.sid = ${sid}` }).replace(sid, fp("cookie", sid))],
  ];
  for (const [line, expected] of cases) {
    assert.equal(scrub(line), expected);
    assert.equal(scrub(expected), expected, "idempotent");
  }
});

test("finding 5: a JWT whose JSON has whitespace (eyAi…, ewo…, ew0…, ewk…) is scrubbed, and our Verifier accepts it", () => {
  // Old: only a run starting `eyJ` (`{"`) was a JWT. With header and payload both written with
  // whitespace, nothing of these tokens matched and they survived whole, though verifiers
  // (ours included, shown below) accept them: a replayable credential in the log.
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "ws" });
  const key = createPrivateKey({ key: privateJwk, format: "jwk" });
  const verifier = new Verifier({ jwks: { keys: [publicJwk] } });
  const exp = Math.floor(Date.now() / 1000) + 300;
  // `{` then the whitespace, then the members as JSON.stringify writes them.
  const spaced = (space, object) => `{${space}${JSON.stringify(object).slice(1)}`;
  for (const [space, prefix] of [[" ", "eyAi"], ["\n", "ewoi"], ["\r\n", "ew0K"], ["\t", "ewki"]]) {
    const header = Buffer.from(spaced(space, { alg: "ES256", kid: "ws" })).toString("base64url");
    const payload = Buffer.from(spaced(space, { sub: "alice", exp })).toString("base64url");
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key, dsaEncoding: "ieee-p1363" }).toString("base64url");
    const token = `${header}.${payload}.${signature}`;
    assert.ok(header.startsWith(prefix) && payload.startsWith(prefix), `${JSON.stringify(space)}: ${token}`);
    assert.equal(verifier.verifySync(token).sub, "alice", "a token our own Verifier accepts");
    for (const line of [
      `Error: token rejected by upstream: ${token}`,
      `GET /callback?code=x&token=${token} HTTP/1.1`,
      JSON.stringify({ msg: "login", token }),
    ]) assertScrubbed(line, [[token, "jwt"]]);
  }
  verifier.free();
});

test("finding 5: fingerprints are keyed: another key, another fingerprint; one key, one fingerprint in every entry", () => {
  // Old: SHA-256 of the secret, the same for everyone (redact took no options).
  const line = `Authorization: Bearer ${OPAQUE.access}`;
  const other = randomBytes(32).toString("base64url");
  const mine = scrub(line);
  assert.equal(mine, `Authorization: Bearer ${fp("bearer", OPAQUE.access)}`);
  assert.equal(redact(line, { fingerprintKey: other }), `Authorization: Bearer ${fp("bearer", OPAQUE.access, other)}`);
  assert.notEqual(redact(line, { fingerprintKey: other }), mine);
  // The verify and authority builds (separate WebAssembly modules) agree under the same key.
  assert.equal(redactVerify(line, { fingerprintKey: KEY }), mine);
  assert.equal(redactAuthority(line, { fingerprintKey: KEY }), mine);
  // Without a key: a random one for the process, so lines still correlate within it.
  assert.equal(redact(line), redact(line));
  assert.notEqual(redact(line), mine);
  // 16 bytes is the shortest key accepted.
  const short = randomBytes(16).toString("base64url");
  assert.equal(redact(line, { fingerprintKey: short }), `Authorization: Bearer ${fp("bearer", OPAQUE.access, short)}`);
});

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

/** `redact(line, options)` in a new Node process importing tessera-auth as an app would. */
async function redactInChild(line, options) {
  const code = 'import { redact } from "tessera-auth"; const o = process.env.OPTIONS; process.stdout.write(redact(process.env.LINE, o ? JSON.parse(o) : undefined));';
  const env = { ...process.env, LINE: line, OPTIONS: options ? JSON.stringify(options) : "" };
  delete env.NODE_TEST_CONTEXT;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT, env });
  return stdout;
}

test("finding 5: the same fingerprintKey correlates across processes; without one, processes do not", async () => {
  // Old: unkeyed, so every process (anyone's) gave the same fingerprint and the key was ignored.
  const line = `> Cookie: tessera_rt=${OPAQUE.refresh}; connect.sid=${OPAQUE.sid}`;
  const [keyed1, keyed2, unkeyed1, unkeyed2] = await Promise.all([
    redactInChild(line, { fingerprintKey: KEY }),
    redactInChild(line, { fingerprintKey: KEY }),
    redactInChild(line),
    redactInChild(line),
  ]);
  assert.equal(keyed1, `> Cookie: tessera_rt=${fp("cookie", OPAQUE.refresh)}; connect.sid=${fp("cookie", OPAQUE.sid)}`);
  assert.equal(keyed2, keyed1, "two processes, one key: the lines correlate");
  assert.equal(scrub(line), keyed1, "and with this process");
  assert.match(unkeyed1, /^> Cookie: tessera_rt=\[cookie [0-9a-f]{8}\]; connect\.sid=\[cookie [0-9a-f]{8}\]$/);
  assert.notEqual(unkeyed1, unkeyed2, "no key: a random key per process");
  assert.notEqual(unkeyed1, keyed1);
});

test("finding 5: a Basic credential's fingerprint is no offline guessing oracle without the key", () => {
  // The issue's case: the old fingerprint (SHA-256 prefix of the credential) gave back the password
  // `sunshine42` after 5,043 guesses. Here a guesser knows the user, the algorithm and a
  // dictionary that holds the password, but not the key.
  const credential = Buffer.from("alice:sunshine42").toString("base64");
  const line = `> Authorization: Basic ${credential}`;
  const words = ["password", "sunshine", "letmein", "dragon", "monkey", "football", "iloveyou", "admin", "welcome", "qwerty",
    "princess", "shadow", "master", "baseball", "superman", "trustno1", "hello", "freedom", "whatever", "starwars"];
  const guesses = words.flatMap((word) => ["", "!", ...Array.from({ length: 100 }, (_, n) => `${n}`)].map((suffix) => word + suffix));
  assert.ok(guesses.includes("sunshine42"));
  const sha8 = (text) => createHash("sha256").update(text).digest("hex").slice(0, 8);
  const basic = (password) => Buffer.from(`alice:${password}`).toString("base64");
  const fingerprintOf = (out) => out.match(/^> Authorization: Basic \[basic ([0-9a-f]{8})\]$/)[1];
  for (const out of [redact(line), scrub(line)]) {
    const fingerprint = fingerprintOf(out);
    assert.notEqual(fingerprint, sha8(credential), "not the unkeyed SHA-256 prefix of 10a8828");
    const hits = guesses.filter((g) => [basic(g), `alice:${g}`, g].some((text) => sha8(text) === fingerprint));
    assert.deepEqual(hits, [], "no guess matches without the key");
  }
  // What protects the password is the key: whoever holds it finds the password among the same guesses.
  const fingerprint = fingerprintOf(scrub(line));
  assert.deepEqual(guesses.filter((g) => mac8(KEY, basic(g)) === fingerprint), ["sunshine42"]);
});

test("finding 5: a bad fingerprintKey is a coded TesseraError (redact and Authority), and redact works afterwards", () => {
  // Old: redact took no options (a key was ignored) and the Authority refused the option as unknown.
  const line = `> Authorization: Basic ${Buffer.from("alice:sunshine42").toString("base64")}`;
  const before = [scrub(line), redact(line)];
  const bad = [
    ["15 bytes", randomBytes(15).toString("base64url")],
    ["empty", ""],
    ["not base64url", "not a base64url key, 32 characters"],
    ["standard base64 (+ and /)", Buffer.alloc(24, 0xfb).toString("base64")],
    ["a number", 5],
    ["a boolean", true],
    ["an object", {}],
    ["an array", []],
    ["bytes instead of text", randomBytes(32)],
  ];
  const coded = (why, key) => (error) => {
    assert.ok(error instanceof TesseraError, `${why}: ${error}`);
    assert.equal(error.code, "ERR_INVALID_OPTIONS", why);
    assert.equal(error.claim, "fingerprintKey", why);
    if (typeof key === "string" && key.length > 8) assert.ok(!error.message.includes(key), "no key material in the message");
    return true;
  };
  for (const redactOf of [redact, redactVerify, redactAuthority]) {
    for (const [why, fingerprintKey] of bad) assert.throws(() => redactOf(line, { fingerprintKey }), coded(why, fingerprintKey));
  }
  const { privateJwk } = generateKeyPair();
  const base = { issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [ORIGIN] };
  for (const [why, fingerprintKey] of bad) assert.throws(() => new Authority({ ...base, fingerprintKey }), coded(why, fingerprintKey));
  // Nothing stuck: the same answers as before, in every entry.
  assert.deepEqual([scrub(line), redact(line)], before);
  assert.equal(redactVerify(line, { fingerprintKey: KEY }), before[0]);
  assert.equal(redactAuthority(line, { fingerprintKey: KEY }), before[0]);
});

test("finding 5: Authorities that share a fingerprintKey log the same fingerprint for a subject, as the app's redact does", async () => {
  // Old: `fingerprintKey` was an unknown Authority option (ERR_INVALID_OPTIONS).
  // A subject that is token-shaped (an IdP's id_token passed as `sub` by mistake) is fingerprinted.
  const sub = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0";
  const secret = randomBytes(32).toString("base64url");
  /** The fingerprint of `sub` in the "session started" line of a new Authority with `options`. */
  async function loggedSubject(options) {
    const lines = [];
    const { privateJwk } = generateKeyPair();
    const authority = new Authority({
      issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [ORIGIN],
      ...options, log: (line) => lines.push(line),
    });
    const login = await authority.login(new Request("https://auth.example/auth/login", { method: "POST", headers: CSRF }), { sub });
    assert.equal(login.status, 200);
    authority.free();
    const started = lines.find((l) => l.startsWith("tessera: session started "));
    assert.ok(started && !started.includes(sub), lines.join("\n"));
    return started.match(/ sub=(\[jwt [0-9a-f]{8}\])$/)[1];
  }
  const [a, b, other, random1, random2, derived1, derived2] = await Promise.all([
    loggedSubject({ fingerprintKey: KEY }),
    loggedSubject({ fingerprintKey: KEY }),
    loggedSubject({ fingerprintKey: randomBytes(32).toString("base64url") }),
    loggedSubject({}),
    loggedSubject({}),
    loggedSubject({ refreshSecret: secret }),
    loggedSubject({ refreshSecret: secret }),
  ]);
  assert.equal(a, b, "one fingerprintKey: the two instances' lines correlate");
  assert.equal(a, fp("jwt", sub), "the documented HMAC under that key");
  assert.equal(a, scrub(sub), "and the app's own redact(…, { fingerprintKey }) lines correlate with them");
  assert.notEqual(other, a, "another key, another fingerprint");
  assert.notEqual(random1, random2, "no key and no refreshSecret: a random key per instance");
  // Default with a refreshSecret: a key derived from it, the same in every instance of the deployment,
  // and not the secret itself.
  assert.equal(derived1, derived2);
  assert.notEqual(derived1, fp("jwt", sub, secret));
});

// Inputs an earlier version of this redactor let through (found while writing the tests above):
// passwords and client secrets, cookie spacing, JSON-valued cookies and deeper escaping.

/** The inputs whose `secret` survives `scrub`. */
const survivors = (cases) => cases.filter(([line, secret]) => scrub(line).includes(secret)).map(([line]) => `${line}\n  → ${scrub(line)}`);

test("password and client_secret members (plain, escaped JSON, form body, inspect)", () => {
  const cases = ["password", "client_secret"].flatMap((name) => [
    [JSON.stringify({ [name]: "sunshine42" }), "sunshine42"],
    [JSON.stringify({ msg: JSON.stringify({ username: "alice", [name]: "sunshine42" }) }), "sunshine42"],
    [`POST /token body: grant_type=client_credentials&${name}=sunshine42`, "sunshine42"],
    [inspect({ [name]: "sunshine42" }), "sunshine42"],
  ]);
  assert.deepEqual(survivors(cases), []);
});

test("cookies after a space before ';', cookies spaced with tabs", () => {
  const cases = [
    [`Cookie: theme=dark ; connect.sid=${OPAQUE.sid}`, OPAQUE.sid],
    [`Cookie: a = b ; connect.sid = ${OPAQUE.sid}`, OPAQUE.sid],
    [`Cookie: connect.sid\t=\t${OPAQUE.sid}`, OPAQUE.sid],
  ];
  assert.deepEqual(survivors(cases), []);
});

test("a ';' inside a JSON-valued cookie, and a JSON-valued cookie in escaped JSON", () => {
  const cookie = `prefs={"note":"a;b"}; connect.sid=${OPAQUE.sid}`;
  const cases = [
    [`Cookie: ${cookie}`, OPAQUE.sid],
    [JSON.stringify({ msg: JSON.stringify({ cookie: `prefs={"a":1}; connect.sid=${OPAQUE.sid}` }) }), OPAQUE.sid],
  ];
  assert.deepEqual(survivors(cases), []);
});

test("Node's set-cookie array as JSON inside a JSON string, and doubly escaped token members", () => {
  const res = new http.ServerResponse(new http.IncomingMessage(null));
  res.setHeader("set-cookie", [`connect.sid=${OPAQUE.sid}; Path=/; HttpOnly`]);
  const body = JSON.stringify({ refresh_token: OPAQUE.refresh });
  const cases = [
    [JSON.stringify({ msg: `headers ${JSON.stringify(res.getHeaders())}` }), OPAQUE.sid],
    [JSON.stringify({ msg: JSON.stringify({ body }) }), OPAQUE.refresh],
  ];
  assert.deepEqual(survivors(cases), []);
});
