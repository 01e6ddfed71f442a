// Mounting fetch-style handlers (the Authority's, or an app's) in Node's own HTTP server
// (tessera/node-http): `http.createServer(toNodeListener(handler))`. No framework needed.
//
// Node 20's `http` module speaks IncomingMessage/ServerResponse, while the Authority speaks the
// standard Request/Response. This converts one to the other: the body is read up to a limit,
// every Set-Cookie header is kept separate, and an abort of the client connection aborts the
// Request's signal.

import { TesseraError } from "./src/errors.js";

export { TesseraError };

function invalid(message, claim) {
  return new TesseraError("ERR_INVALID_OPTIONS", message, claim);
}

function reply(res, status, body, headers = {}) {
  if (res.headersSent) return res.destroy();
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

// Methods the Fetch standard forbids in a Request (`new Request` throws on them): they can never
// reach a fetch-style handler, so they are refused here as not allowed, not as a server error.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
const ALLOWED = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/** Reads the request body; resolves `null` when it exceeds `limit` bytes. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * `toNodeListener(handler, { baseUrl, maxBodyBytes })` → `(req, res) => void` for
 * `http.createServer`. `handler(request)` returns a Response (or a Promise of one); `null` or
 * `undefined` becomes 404. `baseUrl` fixes the scheme and host of `request.url` (default: from
 * the Host header, `https:` on TLS sockets); bodies over `maxBodyBytes` (default 1 MiB) get 413.
 * A handler that throws gets 500 `{"error":"server_error"}` and `onError(error)` (default:
 * `console.error` of the error's name and code only, never the request).
 */
export function toNodeListener(handler, { baseUrl, maxBodyBytes = 1 << 20, onError } = {}) {
  if (typeof handler !== "function") throw invalid("toNodeListener needs a handler function (request) => Response", "handler");
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) throw invalid("option maxBodyBytes must be a non-negative integer", "maxBodyBytes");
  let base = null;
  if (baseUrl !== undefined) {
    try {
      base = new URL(baseUrl);
    } catch {
      throw invalid("option baseUrl must be an absolute URL such as https://app.example", "baseUrl");
    }
  }
  if (onError !== undefined && typeof onError !== "function") throw invalid("option onError must be a function", "onError");
  const report = onError ?? ((error) => console.error(`tessera/node-http: handler failed: ${error?.name ?? "Error"} ${error?.code ?? ""}`.trim()));

  return async (req, res) => {
    if (FORBIDDEN_METHODS.has(String(req.method).toUpperCase())) {
      req.resume();
      return reply(res, 405, { error: "invalid_request", code: "ERR_MALFORMED" }, { allow: ALLOWED });
    }
    let url;
    try {
      const origin = base ?? new URL(`${req.socket.encrypted ? "https" : "http"}://${req.headers.host ?? "localhost"}`);
      url = new URL(req.url ?? "/", origin.origin);
    } catch {
      return reply(res, 400, { error: "invalid_request", code: "ERR_MALFORMED" });
    }
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    let body;
    if (req.method !== "GET" && req.method !== "HEAD") {
      try {
        body = await readBody(req, maxBodyBytes);
      } catch {
        return reply(res, 400, { error: "invalid_request", code: "ERR_MALFORMED" });
      }
      if (body === null) return reply(res, 413, { error: "invalid_request", code: "ERR_MALFORMED" });
    }

    let response;
    try {
      const request = new Request(url, { method: req.method, headers, body, signal: controller.signal });
      response = (await handler(request)) ?? new Response(JSON.stringify({ error: "not_found" }), { status: 404, headers: { "content-type": "application/json" } });
      if (!(response instanceof Response)) throw new TesseraError("ERR_INVALID_OPTIONS", "the handler must return a Response", "handler");
    } catch (error) {
      report(error);
      return reply(res, 500, { error: "server_error" });
    }

    const out = {};
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) out["set-cookie"] = cookies;
    let payload = null;
    try {
      if (req.method !== "HEAD" && response.body !== null) payload = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      report(error);
      return reply(res, 500, { error: "server_error" });
    }
    res.writeHead(response.status, response.statusText || undefined, out);
    res.end(payload);
  };
}
