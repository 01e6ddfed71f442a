// tessera-auth in a bundled browser app: the whole API, TokenSession included (compiled, never run).
import { TokenSession, Verifier, Signer, generateKeyPair, TesseraError } from "tessera-auth";
import type { JWTClaims, SessionState } from "tessera-auth";

const session = new TokenSession({ authPath: "/auth" });
const { privateJwk, publicJwk } = generateKeyPair();
const token = new Signer({ privateJwk, issuer: "https://auth.example" }).signSync({ sub: "u" });
const claims: JWTClaims = new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://auth.example" }).verifySync(token);
const state: SessionState = session.state;
console.log(claims.sub, state.status, TesseraError.name);

// @ts-expect-error a misspelled option
new Verifier({ jwks: { keys: [publicJwk] }, audiance: "api" });
// @ts-expect-error a wrong event name
session.addEventListener("signout", () => {});
