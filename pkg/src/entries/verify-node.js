// Bundled into pkg/dist/verify/node.cjs (by scripts/bundle.mjs): the verify API over the
// wasm-bindgen Node build, which loads the .wasm next to it synchronously.
import * as wasm from "../../dist/verify/tessera_verify.js";
import { verifyApi } from "../verify.js";

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);

/** Diagnostics for the tests: an address on the WebAssembly shadow stack (see src/wasm/mod.rs). */
export const __stackPointer = () => wasm.__stackPointer();
