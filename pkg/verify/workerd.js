// tessera-auth/verify on Cloudflare Workers (workerd): the .wasm import is a compiled
// WebAssembly.Module there, instantiated synchronously (no random values are used, so this is
// allowed at global scope).
import module from "../dist/verify/web/tessera_verify_bg.wasm";
import * as wasm from "../dist/verify/web/tessera_verify.js";
import { verifyApi } from "../src/verify.js";

wasm.initSync({ module });

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);
