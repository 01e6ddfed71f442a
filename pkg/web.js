// Browsers and bundlers without wasm-import support: fetch and instantiate the module next to
// this file (bundlers see `new URL("tessera_bg.wasm", import.meta.url)`), then export the API.
import init from "./dist/web/tessera.js";

await init();

export { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } from "./dist/web/tessera.js";
