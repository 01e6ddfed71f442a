// tessera-auth/authority for browsers, bundlers and Deno (bundled: dist/authority/web/index.js, which
// instantiates the module next to it with top-level await; Deno needs --allow-read).
export * from "../dist/authority/web/index.js";
