// Deno: `deno run --allow-read main.js` (the "deno" condition loads each build's .wasm from disk,
// hence --allow-read). The authority build (also the package root there), and the lighter verify
// build on its own.
import { Authority, Signer, generateKeyPair } from "npm:tessera-auth/authority";
import { Verifier, TesseraError } from "npm:tessera-auth/verify";

const { privateJwk, publicJwk } = generateKeyPair({ kid: "deno" });
const signer = new Signer({ privateJwk, issuer: "https://auth.example", audience: "https://api.example" });
const token = await signer.sign({ sub: "dino", client_id: "cli", scope: "read" });

const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://auth.example", audience: "https://api.example", profile: "at+jwt" });
const claims = await verifier.verify(token, { requiredScopes: ["read"] });
const forged = await verifier.verify(`${token.slice(0, -8)}AAAAAAAA`).catch((error) => error);

const authority = new Authority({ issuer: "https://auth.example", audience: "https://api.example", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"] });
console.log(claims.sub, forged instanceof TesseraError ? forged.code : "accepted", authority.jwks().keys[0].kid);
