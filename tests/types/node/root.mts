// tessera-auth in Node (ESM): the authority and verify API, no TokenSession (compiled, never run).
import { Authority, Verifier, Signer, generateKeyPair, redact, errorResponse, MemoryStore, TesseraError } from "tessera-auth";
// @ts-expect-error TokenSession is for browsers: not in the Node entry
import { TokenSession } from "tessera-auth";

const { privateJwk, publicJwk } = generateKeyPair({ kid: "k1" });
const signer = new Signer({ privateJwk, issuer: "https://auth.example", audience: "https://api.example" });
const token = await signer.sign({ sub: "user-1", client_id: "web", scope: "read" }, { expiresIn: 300 });
const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://auth.example", audience: "https://api.example", profile: "at+jwt" });
const claims = await verifier.verify(token, { requiredScopes: ["read"] });
const sub: string | undefined = claims.sub;
const store = new MemoryStore();
const authority = new Authority({ issuer: "https://auth.example", audience: "https://api.example", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"], store });
console.log(sub, store.size, redact(token), errorResponse(new TesseraError("ERR_EXPIRED", "expired")).status, authority.jwks().keys[0]?.kid, TokenSession);

// @ts-expect-error a misspelled option
new Verifier({ jwks: { keys: [publicJwk] }, audiance: "api" });
// @ts-expect-error a claims field used with the wrong type: sub is a string
const n: number = claims.sub;
