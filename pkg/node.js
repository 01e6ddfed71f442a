// Node (ESM): the CommonJS build loads and instantiates the wasm synchronously on import.
export { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } from "./dist/nodejs/tessera.js";
