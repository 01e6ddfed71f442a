// Node (CommonJS, and imported by node.js): loads the wasm build and installs Node's own crypto
// (OpenSSL, synchronous) as the signer, ≈ 3× faster than signing in wasm (src/wasm/runtime_signer.rs).
"use strict";
const { createPrivateKey, sign } = require("node:crypto");
const tessera = require("./dist/nodejs/tessera.js");

tessera.__setNativeSigner(
  (jwk) => createPrivateKey({ key: jwk, format: "jwk" }),
  (key, bytes) => new Uint8Array(sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" })),
);

module.exports = {
  Verifier: tessera.Verifier,
  Signer: tessera.Signer,
  generateKeyPair: tessera.generateKeyPair,
  Authority: tessera.Authority,
  MemoryStore: tessera.MemoryStore,
  TokenSession: tessera.TokenSession,
  redact: tessera.redact,
};
