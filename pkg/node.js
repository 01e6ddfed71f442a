// Node (ESM): the CommonJS entry loads and instantiates the wasm synchronously and installs
// node:crypto as the signer (node.cjs); both entries share that one module instance.
import "./node.cjs";

export { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } from "./dist/nodejs/tessera.js";
