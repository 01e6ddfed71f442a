// Node (CommonJS, and loaded by node.js): loads the wasm build and installs Node's own crypto
// (OpenSSL, synchronous) as the signer, ≈ 3× faster than signing in wasm (src/wasm/runtime_signer.rs).
// node:crypto is required on the first signature, not here: an app that only verifies does not pay
// for loading it (≈ 2.5 ms of a cold start).
"use strict";
const tessera = require("./dist/nodejs/tessera.js");

let nodeCrypto;
const crypto = () => (nodeCrypto ??= require("node:crypto"));
tessera.__setNativeSigner(
  (jwk) => crypto().createPrivateKey({ key: jwk, format: "jwk" }),
  (key, bytes) => new Uint8Array(crypto().sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" })),
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
