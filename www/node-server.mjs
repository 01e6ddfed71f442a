// The same demo on a plain Node HTTP server (no framework): the Authority with a RedisStore when
// REDIS_URL is set (else the in-process MemoryStore), mounted with tessera/node-http, plus the
// page and the package's browser build as static files.
//
//   node www/node-server.mjs            # after ./scripts/demo.sh or ./scripts/build.sh; PORT=8788
//   REDIS_URL=redis://127.0.0.1:6379 node www/node-server.mjs
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Authority, generateKeyPair } from "tessera-auth";
import { toNodeListener } from "tessera-auth/node-http";
import { demoApp } from "./app.js";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
// URL prefix → directory: the page, and the package's session build (read in place, not copied).
const ROOTS = [
  ["/pkg/dist/session/web/", here("../pkg/dist/session/web")],
  ["/pkg/session/", here("../pkg/session")],
  ["/pkg/src/", here("../pkg/src")],
  ["/pkg/", here("../pkg"), []],
  ["/", here("./public")],
];

/** Static files for GET requests; null when there is no such file. */
async function staticFiles(request) {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  let path;
  try {
    path = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return null;
  }
  if (path.endsWith("/")) path += "index.html";
  const [prefix, root, only] = ROOTS.find(([prefix]) => path.startsWith(prefix));
  if (only && !only.includes(path)) return null;
  const file = normalize(join(root, path.slice(prefix.length)));
  if (!file.startsWith(root + sep)) return null;
  try {
    return new Response(await readFile(file), { headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" } });
  } catch {
    return null;
  }
}

/**
 * Starts the Node demo: `{ url, close }`. Options: `port` (0 = any free port), `accessTtl`,
 * `theft` (the demo's stolen-token hook), `store` (any store object; default: a RedisStore on
 * `redisUrl` or MemoryStore), `privateJwk`/`refreshSecret` (share them to run several processes
 * as one authority), `origin` (the browser-facing origin; default http://127.0.0.1:<port>).
 */
export async function demoNodeServer({ port = 8788, accessTtl = 30, theft = true, redisUrl, store, privateJwk, refreshSecret, origin } = {}) {
  let redis = null;
  if (!store && redisUrl) {
    const [{ createClient }, { RedisStore }] = await Promise.all([import("redis"), import("tessera-auth/redis")]);
    // No offline queue: while Redis is unreachable, requests fail at once with 503.
    redis = createClient({ url: redisUrl, disableOfflineQueue: true });
    redis.on("error", () => {}); // reconnects by itself; requests meanwhile get 503
    await redis.connect();
    store = new RedisStore(redis);
  }
  const server = createServer();
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const base = origin ?? `http://127.0.0.1:${server.address().port}`;
  const reuseGrace = 2;
  const authority = new Authority({
    issuer: base,
    audience: "tessera-demo-api",
    signingKeys: [privateJwk ?? generateKeyPair({ kid: "demo-1" }).privateJwk],
    allowedOrigins: [base],
    accessTokenTtl: accessTtl,
    sessionTtl: 3600,
    idleTtl: 900,
    reuseGrace,
    clientId: "tessera-demo",
    refreshSecret: refreshSecret ?? randomBytes(32).toString("base64url"),
    dpop: "allowed",
    ...(store ? { store } : {}),
  });
  const app = demoApp(authority, { errorResponse: Authority.errorResponse, theft, reuseGrace });
  server.on("request", toNodeListener(async (request) => (await app(request)) ?? (await staticFiles(request))));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    authority,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (redis) await redis.close().catch(() => {});
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = process.env;
  const demo = await demoNodeServer({
    port: Number(env.PORT ?? 8788),
    redisUrl: env.REDIS_URL,
    accessTtl: Number(env.ACCESS_TTL ?? 30),
    theft: env.DEMO_THEFT !== "0",
    privateJwk: env.PRIVATE_JWK ? JSON.parse(env.PRIVATE_JWK) : undefined,
    refreshSecret: env.REFRESH_SECRET,
    origin: env.ORIGIN,
  });
  console.log(`Tessera demo (Node${env.REDIS_URL ? " + Redis" : ""}) running at ${demo.url}  (Ctrl-C to stop)`);
  const stop = async () => {
    await demo.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
