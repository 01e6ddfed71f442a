// Remote key sets that are too large, endless or not 200 (issue: the 64 KiB cap was applied after
// the whole body was buffered; a 1 GiB answer peaked at 3 GiB of memory). The body is read as a
// stream and the read stops one byte past the cap; non-200 bodies are not read at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { Verifier } from "tessera-auth/verify";
import { caught } from "./helpers.mjs";

const MiB = 1024 * 1024;

/** A server that sends `total` bytes of body with `status`, and reports how much it wrote. */
async function hugeServer(status, total) {
  const state = { written: 0, closedEarly: false };
  const chunk = Buffer.alloc(MiB, 0x20);
  chunk.write('{"keys":[', 0);
  const server = createServer((req, res) => {
    res.writeHead(status, { "content-type": "application/json", "content-length": String(total) });
    const pump = () => {
      while (state.written < total) {
        state.written += chunk.length;
        if (!res.write(chunk)) return res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => {
      if (state.written < total) state.closedEarly = true;
    });
    pump();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  state.url = `http://127.0.0.1:${server.address().port}/jwks.json`;
  state.close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)));
  return state;
}

test("a 256 MiB key set answer is cut at the cap: ERR_JWKS_FETCH, and memory grows by less than 16 MiB", async () => {
  const server = await hugeServer(200, 256 * MiB);
  try {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const verifier = new Verifier({ jwksUrl: server.url });
    const error = await caught(() => verifier.verify("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"));
    const grown = process.memoryUsage().rss - before;
    assert.equal(error.code, "ERR_JWKS_FETCH");
    assert.ok(grown < 16 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(server.closedEarly, "the client stopped reading");
    assert.ok(server.written < 64 * MiB, `the server wrote ${(server.written / MiB).toFixed(0)} MiB`);
  } finally {
    await server.close();
  }
});

test("the body of an answer other than 200 is not read", async () => {
  const server = await hugeServer(500, 256 * MiB);
  try {
    const before = process.memoryUsage().rss;
    const verifier = new Verifier({ jwksUrl: server.url });
    assert.equal((await caught(() => verifier.verify("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"))).code, "ERR_JWKS_FETCH");
    assert.ok(process.memoryUsage().rss - before < 16 * MiB);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(server.closedEarly && server.written < 64 * MiB, `the server wrote ${(server.written / MiB).toFixed(0)} MiB`);
  } finally {
    await server.close();
  }
});

test("an answer slower than timeoutDuration is abandoned with ERR_JWKS_FETCH", async () => {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"keys":['); // and never more
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const verifier = new Verifier({ jwksUrl: `http://127.0.0.1:${server.address().port}/jwks.json`, timeoutDuration: 300 });
    const started = Date.now();
    assert.equal((await caught(() => verifier.verify("eyJhbGciOiJFUzI1NiJ9.e30.c2ln"))).code, "ERR_JWKS_FETCH");
    assert.ok(Date.now() - started < 5_000, "the timeout stopped the read");
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
