// tessera-auth/verify for browsers, bundlers and Deno (bundled: dist/verify/web/index.js, which
// instantiates the module next to it with top-level await; Deno needs --allow-read).
export * from "../dist/verify/web/index.js";
