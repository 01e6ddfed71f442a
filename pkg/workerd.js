// Cloudflare Workers / workerd: the .wasm import is a compiled WebAssembly.Module there.
// Instantiation does not use random values, so it is allowed at global scope.
import wasmModule from "./dist/web/tessera_bg.wasm";
import { initSync } from "./dist/web/tessera.js";

initSync({ module: wasmModule });

export { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } from "./dist/web/tessera.js";
