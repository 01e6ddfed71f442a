// Bundled into pkg/dist/verify/web/workerd.js (Cloudflare Workers): the .wasm import is a compiled
// WebAssembly.Module there, instantiated synchronously (this uses no random values, so it is
// allowed at global scope).
import module from "./tessera_verify_bg.wasm";
import * as wasm from "../../dist/verify/web/tessera_verify.js";
import { verifyApi } from "../verify.js";

wasm.initSync({ module });

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);
