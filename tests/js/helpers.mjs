// Shared helpers for the JS test suites (they import the built package as users do).
import { createServer } from "node:http";
import { createServer as netServer } from "node:net";
import { Signer, generateKeyPair } from "tessera-auth";

export const ISSUER = "https://issuer.example";
export const AUDIENCE = "https://api.example";

export function keyPair(kid = "k1") {
  return generateKeyPair({ kid });
}

export function signer(privateJwk, extra = {}) {
  return new Signer({ privateJwk, issuer: ISSUER, audience: AUDIENCE, ...extra });
}

export const b64url = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** Calls `fn` and returns the error it throws or rejects with (or fails the test). */
export async function caught(fn) {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** A port on 127.0.0.1 that was free a moment ago (for servers that cannot listen on port 0). */
export async function freePort() {
  const probe = netServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A JWKS server on 127.0.0.1 that counts requests; `respond` can be swapped per test. */
export async function jwksServer(initialBody) {
  const state = { hits: 0, status: 200, body: initialBody, delayMs: 0 };
  const server = createServer(async (req, res) => {
    state.hits += 1;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    res.writeHead(state.status, { "content-type": "application/json" });
    res.end(typeof state.body === "string" ? state.body : JSON.stringify(state.body));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${server.address().port}/jwks.json`;
  state.close = () => new Promise((resolve) => server.close(resolve));
  return state;
}

/** A Miniflare (workerd) instance running `script` (a URL) with the repository as module root. */
export async function workerd(script, options = {}) {
  const { Miniflare } = await import("miniflare");
  const { workerdOptions } = await import("../../scripts/workerd.mjs");
  return new Miniflare(workerdOptions(script, options));
}
