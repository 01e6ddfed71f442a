// tessera-auth/verify: Verifier, redact, errorResponse (browsers, bundlers, Node, workerd, Deno).
export * from "./verify.cjs";
