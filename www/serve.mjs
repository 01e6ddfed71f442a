// Runs the demo worker in workerd (Miniflare) on http://127.0.0.1:8787 until Ctrl-C.
// The page (www/public) and the package's browser build are copied to www/build and served as
// static assets in front of the worker, as Workers Static Assets would serve them.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { generateKeyPair } from "tessera-auth";
import { workerdOptions } from "../scripts/workerd.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

function buildAssets() {
  const out = here("./build");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(`${out}/pkg/dist/session`, { recursive: true });
  cpSync(here("./public"), out, { recursive: true });
  // The page needs only the session build: its entry, its glue and its module.
  cpSync(here("../pkg/session"), `${out}/pkg/session`, { recursive: true });
  cpSync(here("../pkg/src"), `${out}/pkg/src`, { recursive: true });
  cpSync(here("../pkg/dist/session/web"), `${out}/pkg/dist/session/web`, { recursive: true });
  return out;
}

/** The demo stack. `accessTtl` (seconds) is 30 in the demo; tests pass shorter ones. */
export function demoWorker({ port = 8787, accessTtl = 30, theft = true } = {}) {
  const origin = `http://127.0.0.1:${port}`;
  const { privateJwk } = generateKeyPair({ kid: "demo-1" });
  return new Miniflare(
    workerdOptions(here("./worker.js"), {
      port,
      assets: { directory: buildAssets(), routerConfig: { has_user_worker: true } },
      durableObjects: { SESSIONS: "TesseraStoreObject" },
      bindings: {
        ORIGIN: origin,
        PRIVATE_JWK: JSON.stringify(privateJwk),
        REFRESH_SECRET: randomBytes(32).toString("base64url"),
        ACCESS_TTL: String(accessTtl),
        DEMO_THEFT: theft ? "1" : "0",
      },
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mf = demoWorker({ port: Number(process.env.PORT ?? 8787) });
  const url = await mf.ready;
  console.log(`Tessera demo running at ${url.href.replace("localhost", "127.0.0.1")}  (Ctrl-C to stop)`);
  const stop = async () => {
    await mf.dispose();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
