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
// Async verify checks ES384 and EdDSA signatures with Deno's WebCrypto (faster there than Rust;
// RSA stays in Rust: Deno's WebCrypto RSA is slower): valid accepted, a changed signature refused.
const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const subtle = crypto.subtle;
const realVerify = subtle.verify;
const calls = {};
subtle.verify = function (algorithm, ...rest) {
  calls[algorithm.name] = (calls[algorithm.name] ?? 0) + 1;
  return realVerify.call(subtle, algorithm, ...rest);
};
for (const [alg, params, sign] of [
  ["EdDSA", { name: "Ed25519" }, { name: "Ed25519" }],
  ["ES384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
  ["RS256", { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
]) {
  const pair = await subtle.generateKey(params, true, ["sign", "verify"]);
  const { key_ops: _ops, ext: _ext, ...jwk } = await subtle.exportKey("jwk", pair.publicKey);
  const input = `${b64(new TextEncoder().encode(JSON.stringify({ alg, kid: alg })))}.${b64(new TextEncoder().encode(JSON.stringify({ sub: "dino", iss: "https://iss", aud: "api" })))}`;
  const signature = new Uint8Array(await subtle.sign(sign, pair.privateKey, new TextEncoder().encode(input)));
  const valid = `${input}.${b64(signature)}`;
  signature[5] ^= 1;
  const forged = `${input}.${b64(signature)}`;
  const v = new verify.Verifier({ jwks: { keys: [{ ...jwk, kid: alg, alg }] }, issuer: "https://iss", audience: "api", algorithms: [alg] });
  if ((await v.verify(valid)).sub !== "dino") throw new Error(`deno: ${alg} async verify`);
  let forgedCode;
  try {
    await v.verify(forged);
  } catch (error) {
    forgedCode = error.code;
  }
  if (forgedCode !== "ERR_BAD_SIGNATURE") throw new Error(`deno: ${alg} forged token: ${forgedCode}`);
}
subtle.verify = realVerify;
if (calls.Ed25519 !== 2 || calls.ECDSA !== 2 || calls["RSASSA-PKCS1-v1_5"] !== undefined) throw new Error(`deno: WebCrypto checks ${JSON.stringify(calls)}`);
console.log(JSON.stringify({ ok: true, runtime: "deno", resolved: import.meta.resolve("tessera-auth"), verify: import.meta.resolve("tessera-auth/verify") }));
