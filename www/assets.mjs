// The demo page (www/public) plus the package's browser build, copied to www/build: served as
// Workers Static Assets by www/serve.mjs and as plain files by www/node-server.mjs.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Copies the assets to `out` (replacing it) and returns `out`. */
export function buildAssets(out = here("./build")) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(`${out}/pkg/dist`, { recursive: true });
  cpSync(here("./public"), out, { recursive: true });
  cpSync(here("../pkg/web.js"), `${out}/pkg/web.js`);
  cpSync(here("../pkg/dist/web"), `${out}/pkg/dist/web`, { recursive: true });
  return out;
}
