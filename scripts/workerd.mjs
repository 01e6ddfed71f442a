// The Miniflare options every workerd run of this repository shares (tests, demo, benchmark), so the
// module rules and the compatibility date live in one place. See the team's toolchain notes (TOOLCHAIN.md) for why
// each is what it is.
import { fileURLToPath } from "node:url";

/** The repository root: every module a worker imports (pkg/, node_modules/) must sit under it. */
export const MODULES_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Not later than the bundled workerd supports (2026-05-03 for miniflare 4.20260426, the newest
 * release that runs on Node 20).
 */
export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * Miniflare options for the ES-module worker at `script` (a file URL or path), listening on
 * 127.0.0.1; `options` are added last (port, bindings, durableObjects, kvNamespaces, assets, ...).
 */
export function workerdOptions(script, options = {}) {
  return {
    modules: true,
    scriptPath: script instanceof URL ? fileURLToPath(script) : script,
    modulesRoot: MODULES_ROOT,
    modulesRules: [
      // Miniflare treats *.js as CommonJS unless told otherwise; wasm-bindgen's --target web
      // output imports its .wasm, which must arrive as a compiled WebAssembly.Module.
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    host: "127.0.0.1",
    ...options,
  };
}
