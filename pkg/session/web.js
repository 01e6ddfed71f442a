// tessera-auth/session for browsers, bundlers and Deno (bundled: dist/session/web/index.js, which
// instantiates the module next to it with top-level await; Deno needs --allow-read).
export * from "../dist/session/web/index.js";
