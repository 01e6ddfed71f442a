// Deno: the package's "deno" export condition, sign and verify (run by tests/js/deno.test.mjs).
import { Verifier, Signer, generateKeyPair } from "tessera";

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
console.log(JSON.stringify({ ok: true, runtime: "deno", resolved: import.meta.resolve("tessera") }));
