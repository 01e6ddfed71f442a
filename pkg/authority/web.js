// tessera-auth/authority for browsers, bundlers and Deno: top-level await instantiates the module next
// to the glue (bundlers see `new URL("…_bg.wasm", import.meta.url)`; Deno needs --allow-read).
import init, * as wasm from "../dist/authority/web/tessera_authority.js";
import { authorityApi } from "../src/authority.js";

await init();

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = authorityApi(wasm);
