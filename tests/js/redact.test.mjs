// redact(text) on realistic log lines, and the Authority's log hook (only redacted lines).
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { Authority, generateKeyPair, redact } from "tessera-auth";
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
