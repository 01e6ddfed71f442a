// Bundled into pkg/dist/verify/node.cjs (by scripts/bundle.mjs): the verify API over the
// wasm-bindgen Node build, which loads the .wasm next to it synchronously, with node:crypto
// checking the signatures the core hands out in async verify and verifyRequest (see
// runtime-verifier.js). node:crypto is required on the first check, not here.
import * as wasm from "../../dist/verify/tessera_verify.js";
import { verifyApi } from "../verify.js";
import { nodeVerifier, setNativeVerifier } from "../runtime-verifier.js";

let nodeCrypto;
setNativeVerifier(nodeVerifier(() => (nodeCrypto ??= require("node:crypto"))));

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);

/** Tests: `null` removes the native verifier (Verifiers made afterwards check in WebCrypto or
 * Rust); `nodeVerifier` builds node:crypto's again. */
export { setNativeVerifier as __setNativeVerifier, nodeVerifier as __nodeVerifier };

/** Diagnostics for the tests: an address on the WebAssembly shadow stack (see src/wasm/mod.rs). */
export const __stackPointer = () => wasm.__stackPointer();
