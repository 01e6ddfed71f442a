// tessera-auth for browsers and bundlers, the whole API in one import: the authority build (which
// verifies too) and the session build. Pages that need only one role import its subpath
// (`tessera-auth/session`, `tessera-auth/verify`) and ship only that module.
export { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } from "./authority/web.js";
export { TokenSession } from "./session/web.js";
