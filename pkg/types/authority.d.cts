// tessera-auth/authority, and the package root in Node, workerd and Deno (CommonJS types:
// `require("tessera-auth")` and `require("tessera-auth/authority")` in Node).
export { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } from "./shared.cjs";
export type {
  ErrorCode, JWTClaims, AccessTokenClaims, SessionClaims, JWK, ECPublicJWK, ECPrivateJWK, RSAPublicJWK, OKPPublicJWK, JWSAlgorithm, ClaimValue, JSONWebKeySet,
  ClaimValidationOptions, LocalKeySetOptions, RemoteKeySetOptions, DiscoveryOptions, VerifierOptions, VerifyOptions, KeySetState, VerifierDpopOptions, ReplayStore, RequestLike,
  RedactOptions, StoreRecord, SessionStore, CookieOptions, LogLevel, AuthorityOptions, LoginOptions, SignerOptions,
  SignOptions, SignClaims, KeyPairOptions, KeyPair,
} from "./shared.cjs";
