// tessera-auth/authority in Node (ESM): the CommonJS build (dist/authority/node.cjs) loads the module
// synchronously; `import` and `require` share that one instance. It is loaded with require, not
// `import … from`: importing CommonJS makes Node scan its source for export names first.
import { createRequire } from "node:module";

const api = createRequire(import.meta.url)("../dist/authority/node.cjs");

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = api;
