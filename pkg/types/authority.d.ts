// tessera-auth/authority, and the package root in Node, workerd and Deno: the authority API
// (Authority, MemoryStore, Signer, generateKeyPair) and the verify API.
export * from "./authority.cjs";
