// Bundled into pkg/dist/authority/web/index.js (browsers, bundlers, Deno): top-level await instantiates
// the module next to it (bundlers see `new URL("tessera_authority_bg.wasm", import.meta.url)`).
import init, * as wasm from "../../dist/authority/web/tessera_authority.js";
import { authorityApi } from "../authority.js";

await init();

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = authorityApi(wasm);
