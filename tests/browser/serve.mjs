// Serves the browser tests: static files (the page, pkg/) from Node, everything else proxied to
// the worker in workerd, all on one origin (http://127.0.0.1:<port>) so cookies are first-party.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { generateKeyPair } from "tessera-auth";
import { workerd } from "../js/helpers.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** Starts the stack; `issued` collects every refresh token the worker set (for leak checks). */
export async function startStack({ accessTtl = 6, dpop = "" } = {}) {
  const issued = new Set();
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { privateJwk } = generateKeyPair({ kid: "browser-test" });
  const mf = await workerd(new URL("./worker.js", import.meta.url), {
    durableObjects: { SESSIONS: "TesseraStoreObject" },
    bindings: { ORIGIN: origin, PRIVATE_JWK: JSON.stringify(privateJwk), ACCESS_TTL: String(accessTtl), REFRESH_SECRET: Buffer.alloc(32, 5).toString("base64url"), DPOP: dpop },
  });
  server.on("request", async (req, res) => {
    try {
      const url = new URL(req.url, origin);
      const file = url.pathname === "/" ? "tests/browser/static/index.html" : url.pathname.startsWith("/pkg/") ? url.pathname.slice(1) : null;
      if (file && !file.includes("..")) {
        const ext = file.slice(file.lastIndexOf("."));
        res.writeHead(200, { "content-type": types[ext] ?? "application/octet-stream", "cache-control": "no-store" });
        res.end(await readFile(`${root}/${file}`));
        return;
      }
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const headers = Object.entries(req.headers).filter(([k]) => !["host", "connection"].includes(k));
      const body = ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks);
      const upstream = await mf.dispatchFetch(url.href, { method: req.method, headers, body });
      const out = {};
      upstream.headers.forEach((value, key) => {
        if (key !== "set-cookie" && key !== "content-length" && key !== "content-encoding") out[key] = value;
      });
      const cookies = upstream.headers.getSetCookie();
      for (const cookie of cookies) {
        const value = cookie.split(";")[0].split("=").slice(1).join("=");
        if (value) issued.add(value);
      }
      if (cookies.length) out["set-cookie"] = cookies;
      res.writeHead(upstream.status, out);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  const stats = async () => (await mf.dispatchFetch(`${origin}/test/stats`)).json();
  const post = (path) => mf.dispatchFetch(`${origin}${path}`, { method: "POST" });
  /** A request to the worker from outside the browser (no page, no key). */
  const request = (path, init) => mf.dispatchFetch(`${origin}${path}`, init);
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await mf.dispose();
  };
  return { origin, issued, stats, post, request, close, publicJwk: (({ d, ...rest }) => rest)(privateJwk) };
}
