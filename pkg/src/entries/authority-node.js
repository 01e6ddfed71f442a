// Bundled into pkg/dist/authority/node.cjs (by scripts/bundle.mjs): the authority API over the
// wasm-bindgen Node build, with node:crypto (OpenSSL, synchronous, ≈ 3× faster than wasm) as the
// signer. node:crypto is required on the first key import, not here: an app that only verifies
// does not pay for loading it.
import * as wasm from "../../dist/authority/tessera_authority.js";
import { authorityApi } from "../authority.js";
import { setNativeSigner } from "../runtime-signer.js";
import { nodeVerifier, setNativeVerifier } from "../runtime-verifier.js";

let nodeCrypto;
const crypto = () => (nodeCrypto ??= require("node:crypto"));
setNativeSigner({
  importKey: (jwk) => crypto().createPrivateKey({ key: jwk, format: "jwk" }),
  sign: (key, bytes) => crypto().sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" }),
});
// node:crypto also checks the signatures the verify core hands out (runtime-verifier.js).
setNativeVerifier(nodeVerifier(crypto));

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = authorityApi(wasm);

/** Tests: `null` removes the native signer (Signers made afterwards sign in Rust), and the
 * native verifier (Verifiers made afterwards check in WebCrypto or Rust). */
export { setNativeSigner as __setNativeSigner, setNativeVerifier as __setNativeVerifier, nodeVerifier as __nodeVerifier };

/** Diagnostics for the tests: an address on the WebAssembly shadow stack (see src/wasm/mod.rs). */
export const __stackPointer = () => wasm.__stackPointer();
