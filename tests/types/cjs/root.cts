// require("tessera-auth") in Node (CommonJS; compiled, never run).
import { Authority, Verifier, Signer, generateKeyPair, TesseraError } from "tessera-auth";
import tessera = require("tessera-auth");
import type { AuthorityOptions, JWTClaims } from "tessera-auth";
// @ts-expect-error TokenSession is for browsers: not in the Node entry
import { TokenSession } from "tessera-auth";

const { privateJwk, publicJwk } = tessera.generateKeyPair({ kid: "k1" });
const options: AuthorityOptions = { issuer: "https://auth.example", audience: "https://api.example", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"] };
const authority = new Authority(options);

async function main(): Promise<void> {
  const token = await new Signer({ privateJwk, issuer: "https://auth.example" }).sign({ sub: "user-1" });
  const claims: JWTClaims = await new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://auth.example" }).verify(token);
  console.log(claims.sub, authority.jwks().keys.length, generateKeyPair === tessera.generateKeyPair, TesseraError, TokenSession);
  // @ts-expect-error a claims field used with the wrong type: sub is a string
  const n: number = claims.sub;
}
main();

// @ts-expect-error a misspelled option
new Authority({ issuer: "https://auth.example", audiance: "api", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"] });
