// tessera-auth/verify in Node (ESM): the CommonJS build (dist/verify/node.cjs) loads the module
// synchronously; `import` and `require` share that one instance. It is loaded with require, not
// `import … from`: importing CommonJS makes Node scan its source for export names first.
import { createRequire } from "node:module";

const api = createRequire(import.meta.url)("../dist/verify/node.cjs");

export const { Verifier, redact, errorResponse, TesseraError } = api;
