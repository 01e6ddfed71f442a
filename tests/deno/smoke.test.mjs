// Deno: the package's "deno" export condition, sign and verify (run by tests/js/deno.test.mjs).
import { Verifier, Signer, generateKeyPair, TesseraError } from "tessera-auth";
import * as verify from "tessera-auth/verify";

const { privateJwk, publicJwk } = generateKeyPair({ kid: "deno" });
const token = await new Signer({ privateJwk, issuer: "https://iss", audience: "api" }).sign({ sub: "dino" });
const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://iss", audience: "api" });
const claims = await verifier.verify(token);
if (claims.sub !== "dino" || verifier.verifySync(token).sub !== "dino") throw new Error("deno: wrong claims");
let code;
try {
  verifier.verifySync(token.slice(0, -4) + "AAAA");
} catch (error) {
  code = error.code;
}
if (code !== "ERR_BAD_SIGNATURE") throw new Error(`deno: expected ERR_BAD_SIGNATURE, got ${code}`);
// The verify build alone: the same token, and its errors are the same class.
const light = new verify.Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://iss", audience: "api" });
if (light.verifySync(token).sub !== "dino" || (await light.verify(token)).sub !== "dino") throw new Error("deno: verify build");
let lightError;
try {
  light.verifySync("x");
} catch (error) {
  lightError = error;
}
if (!(lightError instanceof TesseraError) || lightError.code !== "ERR_MALFORMED") throw new Error("deno: verify build errors");
if ("Authority" in verify || "Signer" in verify) throw new Error("deno: the verify build exports authority classes");
console.log(JSON.stringify({ ok: true, runtime: "deno", resolved: import.meta.resolve("tessera-auth"), verify: import.meta.resolve("tessera-auth/verify") }));
