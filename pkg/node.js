// Node (ESM): the CommonJS entry loads and instantiates the wasm synchronously and installs
// node:crypto as the signer (node.cjs); both entries share that one module instance.
// It is loaded with require, not `import … from "./node.cjs"`: importing CommonJS from ESM makes Node
// scan the CommonJS source for its export names first, ≈ 5 ms of every cold start.
import { createRequire } from "node:module";

const tessera = createRequire(import.meta.url)("./node.cjs");

export const { Verifier, Signer, generateKeyPair, Authority, MemoryStore, TokenSession, redact } = tessera;
