// tessera-auth/verify (CommonJS types: `require("tessera-auth/verify")` in Node).
export { Verifier, redact, errorResponse, TesseraError } from "./shared.cjs";
export type {
  ErrorCode, JWTClaims, AccessTokenClaims, JWK, ECPublicJWK, RSAPublicJWK, OKPPublicJWK, JWSAlgorithm, ClaimValue, JSONWebKeySet, ClaimValidationOptions, LocalKeySetOptions,
  RemoteKeySetOptions, DiscoveryOptions, VerifierOptions, VerifyOptions, KeySetState, RedactOptions, VerifierDpopOptions, ReplayStore, RequestLike,
} from "./shared.cjs";
