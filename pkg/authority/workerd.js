// tessera-auth/authority on Cloudflare Workers (workerd): the .wasm import is a compiled
// WebAssembly.Module there, instantiated synchronously (no random values are used, so this is
// allowed at global scope).
import module from "../dist/authority/web/tessera_authority_bg.wasm";
import * as wasm from "../dist/authority/web/tessera_authority.js";
import { authorityApi } from "../src/authority.js";

wasm.initSync({ module });

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = authorityApi(wasm);
