// Node (ESM): the CommonJS build loads and instantiates the wasm synchronously on import; then
// Node's own crypto (OpenSSL, synchronous) is installed as the signer, being ≈ 3× faster than
// signing in wasm (see src/wasm/webcrypto.rs).
import { createPrivateKey, sign } from "node:crypto";
import { __setNativeSigner } from "./dist/nodejs/tessera.js";

__setNativeSigner(
  (jwk) => createPrivateKey({ key: jwk, format: "jwk" }),
  (key, bytes) => new Uint8Array(sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" })),
);

export { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } from "./dist/nodejs/tessera.js";
