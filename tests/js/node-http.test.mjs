// tessera/node-http: fetch-style handlers in Node's own HTTP server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import { once } from "node:events";
import { connect } from "node:net";
import { toNodeListener } from "tessera-auth/node-http";

async function serve(handler, options) {
  const server = createServer(toNodeListener(handler, options));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))) };
}

test("requests arrive as standard Requests; responses keep status, headers and every Set-Cookie", async () => {
  let seen;
  const app = await serve(async (request) => {
    seen = { method: request.method, url: request.url, cookie: request.headers.get("cookie"), body: await request.text() };
    const headers = new Headers({ "content-type": "text/plain", "x-one": "1" });
    headers.append("set-cookie", "a=1; Path=/; HttpOnly");
    headers.append("set-cookie", "b=2; Path=/auth");
    return new Response("créé", { status: 201, statusText: "Made", headers });
  });
  try {
    const res = await fetch(`${app.url}/auth/x?y=1`, { method: "POST", headers: { cookie: "c=3" }, body: "ünï" });
    assert.equal(res.status, 201);
    assert.equal(res.statusText, "Made");
    assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/; HttpOnly", "b=2; Path=/auth"]);
    assert.equal(res.headers.get("x-one"), "1");
    assert.equal(await res.text(), "créé");
    assert.deepEqual(seen, { method: "POST", url: `${app.url}/auth/x?y=1`, cookie: "c=3", body: "ünï" });
    const head = await fetch(`${app.url}/h`, { method: "HEAD" });
    assert.equal(head.status, 201);
    assert.equal(await head.text(), "");
  } finally {
    await app.close();
  }
});

test("null is 404, an oversized body 413, a throwing handler 500 with onError, a bad Host 400", async () => {
  const errors = [];
  const app = await serve(
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/throw") throw Object.assign(new Error("secret detail"), { code: "X" });
      if (path === "/not-a-response") return "text";
      if (path === "/broken-body") return new Response(new ReadableStream({ start: (c) => c.error(new Error("stream broke")) }));
      if (path === "/body") return new Response(String((await request.arrayBuffer()).byteLength));
      return null;
    },
    { maxBodyBytes: 1000, onError: (error) => errors.push(error.message), baseUrl: "https://app.example" },
  );
  try {
    const missing = await fetch(`${app.url}/nothing`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not_found" });
    assert.equal(await (await fetch(`${app.url}/body`, { method: "POST", body: "x".repeat(1000) })).text(), "1000");
    const big = await fetch(`${app.url}/body`, { method: "POST", body: "x".repeat(1001) });
    assert.equal(big.status, 413);
    assert.deepEqual(await big.json(), { error: "invalid_request", code: "ERR_MALFORMED" });
    const thrown = await fetch(`${app.url}/throw`);
    assert.equal(thrown.status, 500);
    assert.deepEqual(await thrown.json(), { error: "server_error" });
    assert.equal((await fetch(`${app.url}/not-a-response`)).status, 500);
    assert.equal((await fetch(`${app.url}/broken-body`)).status, 500, "a body that fails while read is a 500 too");
    assert.deepEqual(errors, ["secret detail", "the handler must return a Response", "stream broke"]);
  } finally {
    await app.close();
  }
  // Without baseUrl the URL comes from the Host header; one that is not a host is refused.
  const plain = await serve((request) => new Response(request.url));
  try {
    const port = new URL(plain.url).port;
    const raw = (host) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path: "/p", headers: { host } }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve([res.statusCode, body]));
        });
        req.on("error", reject);
        req.end();
      });
    assert.deepEqual(await raw("app.example:8080"), [200, "http://app.example:8080/p"]);
    assert.equal((await raw("bad host/x"))[0], 400);
  } finally {
    await plain.close();
  }
});

test("the Request's signal aborts when the client goes away", async () => {
  let aborted;
  const app = await serve(async (request) => {
    aborted = new Promise((resolve) => request.signal.addEventListener("abort", () => resolve(true)));
    await new Promise((r) => setTimeout(r, 5000));
    return new Response("late");
  });
  try {
    const controller = new AbortController();
    const pending = fetch(`${app.url}/slow`, { signal: controller.signal }).catch(() => "cancelled");
    while (!aborted) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    assert.equal(await pending, "cancelled");
    assert.equal(await aborted, true);
  } finally {
    await app.close();
  }
});

test("a client that goes away in the middle of its body never reaches the handler; the server carries on", async () => {
  let calls = 0;
  const errors = [];
  const app = await serve(
    async (request) => {
      calls += 1;
      return new Response(await request.text());
    },
    { onError: (error) => errors.push(error) },
  );
  try {
    const { port } = new URL(app.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789");
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls, 0, "a body that never completed is not handed to the handler");
    assert.deepEqual(errors, []);
    const response = await fetch(`${app.url}/echo`, { method: "POST", body: "whole" });
    assert.equal(await response.text(), "whole");
    assert.equal(calls, 1);
  } finally {
    await app.close();
  }
});

test("toNodeListener options are checked with coded errors", () => {
  assert.throws(() => toNodeListener(), { code: "ERR_INVALID_OPTIONS", claim: "handler" });
  assert.throws(() => toNodeListener(() => null, { maxBodyBytes: -1 }), { code: "ERR_INVALID_OPTIONS", claim: "maxBodyBytes" });
  assert.throws(() => toNodeListener(() => null, { baseUrl: "not a url" }), { code: "ERR_INVALID_OPTIONS", claim: "baseUrl" });
  assert.throws(() => toNodeListener(() => null, { onError: 1 }), { code: "ERR_INVALID_OPTIONS", claim: "onError" });
});

test("TRACE (a method no Request can carry) is 405 with Allow, never reaching the handler", async () => {
  let calls = 0;
  const app = await serve(() => {
    calls += 1;
    return new Response("ok");
  });
  try {
    // (Node's own parser answers TRACK with 400, and CONNECT never reaches a request listener.)
    for (const method of ["TRACE"]) {
      const { status, headers } = await new Promise((resolve, reject) => {
        const req = httpRequest(`${app.url}/auth/refresh`, { method }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(status, 405, method);
      assert.match(headers.allow, /POST/);
    }
    assert.equal(calls, 0);
    assert.equal((await fetch(`${app.url}/x`)).status, 200, "the server keeps serving");
  } finally {
    await app.close();
  }
});

test("a chunked 512 KiB body to the authority's endpoints through node-http is 400 (its 16 KiB limit holds without Content-Length)", async () => {
  const { Authority, generateKeyPair } = await import("tessera-auth");
  const origin = "https://app.example";
  const authority = new Authority({ issuer: "https://auth.example", audience: "https://api.example", signingKeys: [generateKeyPair().privateJwk], allowedOrigins: [origin] });
  const app = await serve((request) => authority.handle(request), { baseUrl: "https://auth.example" });
  try {
    const { port } = new URL(app.url);
    for (const path of ["/auth/refresh", "/auth/logout"]) {
      const answer = await new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers: { origin, "tessera-request": "1", "transfer-encoding": "chunked" } }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode, text }));
        });
        req.on("error", reject);
        for (let i = 0; i < 8; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
        req.end();
      });
      assert.equal(answer.status, 400, path);
      assert.equal(JSON.parse(answer.text).code, "ERR_MALFORMED");
    }
  } finally {
    await app.close();
  }
});
