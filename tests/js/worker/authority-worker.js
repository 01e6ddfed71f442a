// A test worker: the Authority on its Durable Object store, as an app would mount it.
import { Authority } from "../../../pkg/authority/workerd.js";
import { DurableObjectStore, TesseraStoreObject as StoreObject } from "../../../pkg/durable-object.js";

/** The package's Durable Object, plus a test hook that drops a record (as eviction would). */
export class TesseraStoreObject extends StoreObject {
  async forget(key) {
    await this.ctx.storage.delete(key);
  }
}

let authority; // one per isolate; env is known only inside a handler
// Test hooks of this test worker only: a clock offset and a store outage switch.
let offset = 0;
let down = false;

function failable(store) {
  const fail = () => Promise.reject(new Error("store down"));
  return { get: (k) => (down ? fail() : store.get(k)), put: (...args) => (down ? fail() : store.put(...args)) };
}

function get(env) {
  authority ??= new Authority({
    issuer: env.ISSUER,
    audience: env.AUDIENCE,
    signingKeys: [JSON.parse(env.PRIVATE_JWK)],
    allowedOrigins: [env.ORIGIN],
    reuseGrace: Number(env.REUSE_GRACE),
    idleTtl: Number(env.IDLE_TTL),
    sessionTtl: Number(env.SESSION_TTL),
    refreshSecret: env.REFRESH_SECRET,
    store: failable(new DurableObjectStore(env.SESSIONS)),
    clock: () => Date.now() / 1000 + offset,
  });
  return authority;
}

export default {
  async fetch(request, env) {
    const a = get(env);
    const { pathname } = new URL(request.url);
    if (pathname === "/auth/login") {
      const { username } = await request.clone().json().catch(() => ({}));
      return a.login(request, { sub: username ?? "nobody", scope: "read" });
    }
    // refresh, logout and the JWK Set are routed by the authority itself.
    const handled = await a.handle(request);
    if (handled) return handled;
    if (pathname === "/test/advance") {
      offset += (await request.json()).seconds;
      return new Response(null, { status: 204 });
    }
    if (pathname === "/test/streamed") {
      // An auth request whose body streams (no Content-Length), made here so that workerd's own
      // Request and stream tee are what the authority reads.
      const { path, cookie, size } = await request.json();
      const body = new ReadableStream({
        start(controller) {
          for (let left = size; left > 0; left -= 65536) controller.enqueue(new Uint8Array(Math.min(left, 65536)));
          controller.close();
        },
      });
      const headers = { origin: env.ORIGIN, "tessera-request": "1", cookie };
      const streamed = new Request(`https://auth.example${path}`, { method: "POST", headers, body });
      const answer = await a.handle(streamed);
      const text = await answer.text();
      const bodyLength = (await streamed.arrayBuffer()).byteLength;
      const contentLength = streamed.headers.get("content-length");
      return Response.json({ status: answer.status, text, setCookie: answer.headers.get("set-cookie"), bodyLength, contentLength });
    }
    if (pathname === "/test/forget") {
      const { key } = await request.json();
      await env.SESSIONS.get(env.SESSIONS.idFromName(key)).forget(key);
      return new Response(null, { status: 204 });
    }
    if (pathname === "/test/store") {
      down = (await request.json()).down;
      return new Response(null, { status: 204 });
    }
    if (pathname === "/auth/revoke-subject") {
      await a.revokeSubject((await request.json()).sub);
      return new Response(null, { status: 204 });
    }
    if (pathname === "/api/me") {
      try {
        const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
        return Response.json(await a.verify(token, { requiredScopes: ["read"] }));
      } catch (error) {
        return Authority.errorResponse(error);
      }
    }
    return new Response("not found", { status: 404 });
  },
};
