// The declarations every entry of tessera-auth shares: errors, claims, keys, the verify and
// authority APIs and the store contract. Each entry's types (index.d.ts, verify.d.ts, …) re-export
// their part from here, so a class is the same type whichever subpath it came from. This file is
// CommonJS-typed (.d.cts) so that both the `import` and the `require` types can re-export it.

// ---------------------------------------------------------------------------------------------
// Errors

/** The stable code of every failure (`TesseraError.code`); Rust uses the same codes. */
export type ErrorCode =
  /** Not a compact JWS (size, segments, base64url, UTF-8, JSON, duplicate members, no `alg`), or the token is not a string. */
  | "ERR_MALFORMED"
  /** `alg` is not in `algorithms` or not one Tessera verifies (including `none` and `HS*`); an RSA key without `alg` when `algorithms` does not choose RS or PS. */
  | "ERR_ALG_NOT_ALLOWED"
  /** `crit` or `b64` present; or no random source available (workerd's global scope). */
  | "ERR_UNSUPPORTED"
  /** No key fits the token's `kid` / `alg` / `use` / `key_ops`. */
  | "ERR_NO_MATCHING_KEY"
  /** Several keys fit and the token does not say which. */
  | "ERR_AMBIGUOUS_KEY"
  /** A malformed JWK of a kind Tessera uses (P-256, P-384, Ed25519, RSA under 2048 or over 8192 bits), a private key in a verification set, or a public key given to `Signer`. */
  | "ERR_INVALID_KEY"
  /** The signature does not verify. */
  | "ERR_BAD_SIGNATURE"
  /** `exp <= now - clockTolerance`. */
  | "ERR_EXPIRED"
  /** `nbf > now + clockTolerance`. */
  | "ERR_NOT_YET_VALID"
  /** `iat > now + clockTolerance`. */
  | "ERR_ISSUED_IN_FUTURE"
  /** `now - iat > maxTokenAge + clockTolerance`. */
  | "ERR_TOO_OLD"
  /** `iss` is not as configured. */
  | "ERR_BAD_ISSUER"
  /** `aud` is not as configured (or present when no `audience` is configured). */
  | "ERR_BAD_AUDIENCE"
  /** `sub` is not as configured. */
  | "ERR_BAD_SUBJECT"
  /** A claim named in the `claims` option does not have an accepted value (`claim` names it). */
  | "ERR_BAD_CLAIM"
  /** The `typ` header is not the expected type. */
  | "ERR_BAD_TYPE"
  /** A required claim is absent (`claim` names it). */
  | "ERR_MISSING_CLAIM"
  /** A claim has the wrong JSON type (`claim` names it). */
  | "ERR_INVALID_CLAIM"
  /** A required scope is not granted. */
  | "ERR_INSUFFICIENT_SCOPE"
  /** An unknown or ill-typed option (`claim` names it). */
  | "ERR_INVALID_OPTIONS"
  /** The remote key set could not be fetched or read, or a failure is cooling down. */
  | "ERR_JWKS_FETCH"
  /** Refresh: the cookie's token is missing, forged, unknown, expired, revoked or reused (HTTP 401). */
  | "ERR_INVALID_GRANT"
  /** Login/refresh/logout without `Tessera-Request: 1` or from an `Origin` not allowed (HTTP 403). */
  | "ERR_CSRF"
  /** `authority.verify`: the access token's session was revoked or has ended (HTTP 401). */
  | "ERR_REVOKED"
  /** The session store failed, or compare-and-set kept failing (HTTP 503). */
  | "ERR_STORE_UNAVAILABLE"
  /** The object's `free()` was called; make a new one. */
  | "ERR_FREED"
  /** A DPoP proof that is missing, malformed, badly signed or made for another request (HTTP 401 `invalid_dpop_proof`). */
  | "ERR_INVALID_DPOP_PROOF"
  /** A DPoP proof whose `jti` was seen before (HTTP 401 `invalid_dpop_proof`). */
  | "ERR_DPOP_REPLAY"
  /** A DPoP proof without the server's current nonce; `dpopNonce` holds a fresh one (HTTP 401 `use_dpop_nonce`). */
  | "ERR_USE_DPOP_NONCE"
  /** A DPoP-bound token sent as Bearer or with another key's proof, an unbound token sent as DPoP, or Bearer where DPoP is required (HTTP 401 `invalid_token`). */
  | "ERR_DPOP_BINDING";

/**
 * Every failure tessera-auth reports. `code` is stable; `claim` names the claim or option that
 * failed, when one did. Messages never contain token bytes, claim values or key material.
 * `instanceof TesseraError` holds across every entry point and every copy of the package.
 */
export declare class TesseraError extends Error {
  constructor(code: ErrorCode, message: string, claim?: string);
  name: "TesseraError";
  code: ErrorCode;
  /** The claim or option that failed, when one did. */
  claim?: string;
  /** `"DPoP"` on errors of `verifyRequest` for a request that used the DPoP scheme (`errorResponse` then answers with a DPoP challenge). */
  scheme?: "DPoP";
  /** With `ERR_USE_DPOP_NONCE`: the nonce the client must put in its next proof (`errorResponse` sends it as `DPoP-Nonce`). */
  dpopNonce?: string;
  static [Symbol.hasInstance](value: unknown): value is TesseraError;
}

// ---------------------------------------------------------------------------------------------
// Claims and keys

/** The payload of a verified JWT: the registered claims (RFC 7519 §4.1) and any others. */
export interface JWTClaims {
  /** Issuer. */
  iss?: string;
  /** Subject. */
  sub?: string;
  /** Audience: one string or several. */
  aud?: string | string[];
  /** Expiry, unix seconds. */
  exp?: number;
  /** Not before, unix seconds. */
  nbf?: number;
  /** Issued at, unix seconds. */
  iat?: number;
  /** Token id. */
  jti?: string;
  /** OAuth client id (RFC 9068). */
  client_id?: string;
  /** Granted scopes, space-delimited (RFC 9068). */
  scope?: string;
  /** Any other claim: check its type before use. */
  [claim: string]: unknown;
}

/** The claims every RFC 9068 access token has (a `profile: "at+jwt"` verifier requires them). */
export interface AccessTokenClaims extends JWTClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
}

/** The claims of an access token the `Authority` issued: RFC 9068 plus the session id. */
export interface SessionClaims extends AccessTokenClaims {
  /** The session family the token belongs to (revocation is checked through it). */
  sid: string;
}

/** A JSON Web Key (RFC 7517) as given: members are checked when the key is used. */
export interface JWK {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
  /** The private scalar (private keys only). */
  d?: string;
  /** RSA modulus and exponent (base64url). */
  n?: string;
  e?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  /** Certificate members as providers publish them: accepted beside the key, never trusted or used. */
  x5c?: string[];
  x5t?: string;
  "x5t#S256"?: string;
  [member: string]: unknown;
}

/** A public P-256 key as tessera-auth writes it (`kid`, `alg`, `use` when the key has them). */
export interface ECPublicJWK extends JWK {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  d?: never;
}

/** A private P-256 key as tessera-auth writes it. */
export interface ECPrivateJWK extends JWK {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  d: string;
}

/** A public RSA key (RFC 7518 §6.3.1), 2048 to 8192 bits. */
export interface RSAPublicJWK extends JWK {
  kty: "RSA";
  n: string;
  e: string;
  d?: never;
}

/** A public Ed25519 key (RFC 8037 §2). */
export interface OKPPublicJWK extends JWK {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  d?: never;
}

/** A JWK Set (RFC 7517 §5). */
export interface JSONWebKeySet<K extends JWK = JWK> {
  keys: K[];
}

// ---------------------------------------------------------------------------------------------
// Verify

/** A value the `claims` option accepts for a claim. */
export type ClaimValue = string | number | boolean;

/** The JWS algorithms a `Verifier` verifies (`Ed25519` is RFC 9864's fully-specified name for EdDSA on Ed25519). */
export type JWSAlgorithm = "ES256" | "ES384" | "EdDSA" | "Ed25519" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";

/** The claim rules of a `Verifier`. */
export interface ClaimValidationOptions {
  /**
   * Allowed `alg` values; `[]` allows nothing. Default: `["ES256"]` alone (an explicit allow-list:
   * name RS256, PS256, ES384 or EdDSA to verify them). Each key verifies only the algorithm it is
   * bound to: its `alg` when it has one, else its curve (EC
   * P-256 → ES256, P-384 → ES384, OKP Ed25519 → EdDSA and Ed25519). An RSA key without `alg`
   * verifies only when this list names one RSA family (`RS*` or `PS*`, not both). `none` and
   * `HS*` never verify.
   */
  algorithms?: readonly JWSAlgorithm[];
  /** Expected `iss`: one string, or a list of accepted strings. */
  issuer?: string | readonly string[];
  /** Expected audience: one string or a list; the token's `aud` (string or array) must contain one. */
  audience?: string | readonly string[];
  /** Expected `sub`. */
  subject?: string;
  /** Expected `typ` header, compared case-insensitively with `application/` optional. */
  typ?: string;
  /** Claim names that must be present (jose's meaning: presence only). */
  requiredClaims?: readonly string[];
  /**
   * Claims that must have a given value: `{ token_use: "access", client_id: ["a", "b"] }` — each
   * named claim must be present (`ERR_MISSING_CLAIM`), a string, number or boolean
   * (`ERR_INVALID_CLAIM`), and equal to the value or to one of the listed values (`ERR_BAD_CLAIM`;
   * strings compared exactly, numbers by value). `iss`, `sub`, `aud`, `exp`, `nbf`, `iat` have their
   * own options and are refused here.
   */
  claims?: { readonly [claim: string]: ClaimValue | readonly ClaimValue[] };
  /** Seconds: tokens whose `iat` is older are rejected (`ERR_TOO_OLD`; requires `iat`). */
  maxTokenAge?: number;
  /** Seconds of leeway for `exp`, `nbf` and `iat` (default 0). */
  clockTolerance?: number;
  /**
   * `"at+jwt"`: RFC 9068 access tokens — `typ` must be `at+jwt`, and `iss exp aud sub client_id
   * iat jti` must be present. Requires `issuer` and `audience`.
   */
  profile?: "at+jwt";
}

/**
 * Where `verifyRequest` remembers the `jti` of accepted DPoP proofs: any store of the store
 * contract (STORE.md: `RedisStore`, `DurableObjectStore`, `MemoryStore`, your own). Only `put` is
 * called, as `put(key, { generation: 1 }, null, ttlSeconds)`: a write that must not find a live
 * record; `false` is a replay.
 */
export interface ReplayStore {
  put(key: string, record: StoreRecord, expectedGeneration: null, ttlSeconds: number): Promise<boolean>;
}

/** `Verifier` option `dpop`: DPoP-bound tokens at this resource server (RFC 9449 §7). */
export interface VerifierDpopOptions {
  /** Refuse Bearer tokens: every request must present a DPoP-bound token with its proof (default `false`). */
  required?: boolean;
  /** Seconds a proof stays acceptable after its `iat` (default 300; 1 to 3600), plus `clockTolerance`. */
  maxAge?: number;
  /** Base64url of at least 32 random bytes: turns on server nonces (RFC 9449 §8), made without a store. */
  nonceSecret?: string;
  /** Seconds a nonce is current (default 300; 10 to 3600); it is accepted for up to twice as long. */
  nonceLifetime?: number;
  /**
   * Where seen proofs are kept. Default: inside this `Verifier` (one process or isolate; at most
   * 100,000 live proofs, then `ERR_STORE_UNAVAILABLE`). With several processes or isolates, give
   * a shared store (Redis, a Durable Object) so that a proof is accepted once across all of them.
   */
  replayStore?: ReplayStore;
}

/** The part of an HTTP request `verifyRequest` reads: a `Request` fits. */
export interface RequestLike {
  method: string;
  /** The absolute URL the request was sent to. */
  url: string;
  /** A `Headers` object, or a plain object of header names (any case) to values. */
  headers: { get(name: string): string | null } | Readonly<Record<string, string>>;
}

/** `new Verifier(…)` with a local JWK Set. */
export interface LocalKeySetOptions extends ClaimValidationOptions {
  /**
   * A JWK Set `{ keys: [...] }`: EC P-256 and P-384, OKP Ed25519 and RSA keys are used; keys with
   * `use` other than `sig`, `key_ops` without `verify` and other key types are skipped; `x5c`,
   * `x5t`, `x5t#S256` are accepted and ignored; a malformed key of a used type or any private key
   * rejects the set (`ERR_INVALID_KEY`).
   */
  jwks: JSONWebKeySet;
  jwksUrl?: undefined;
  discovery?: undefined;
  cacheMaxAge?: undefined;
  cooldownDuration?: undefined;
  timeoutDuration?: undefined;
  /** DPoP-bound tokens in `verifyRequest`. */
  dpop?: VerifierDpopOptions;
}

/** `new Verifier(…)` with a remote JWK Set, fetched and cached. */
export interface RemoteKeySetOptions extends ClaimValidationOptions {
  jwks?: undefined;
  discovery?: undefined;
  /**
   * The key set's URL: `https:` (plain `http:` only for `127.0.0.1`, `localhost`, `[::1]`), fetched
   * with the runtime's `fetch`, redirects not followed, body at most 64 KiB.
   */
  jwksUrl: string;
  /** Milliseconds a fetched set is used before it is fetched again (default 600000, as jose's). */
  cacheMaxAge?: number;
  /** Milliseconds between fetches caused by an unknown `kid`, and after a failed fetch (default 30000, as jose's). */
  cooldownDuration?: number;
  /** Milliseconds one fetch of the key set may take (default 5000, as jose's). */
  timeoutDuration?: number;
  /** DPoP-bound tokens in `verifyRequest`. */
  dpop?: VerifierDpopOptions;
}

/**
 * `new Verifier(…)` finding the key set through the issuer's metadata: OpenID Connect Discovery
 * (`{issuer}/.well-known/openid-configuration`), else RFC 8414
 * (`/.well-known/oauth-authorization-server` before the issuer's path). The document's `issuer`
 * must equal `issuer` exactly, and its `jwks_uri` be `https:` (loopback `http:` allowed); both are
 * cached like a `jwksUrl` set (`cacheMaxAge`, `cooldownDuration`, `exportState`/`importState`).
 * A metadata failure is `ERR_JWKS_FETCH`.
 */
export interface DiscoveryOptions extends Omit<RemoteKeySetOptions, "jwksUrl" | "issuer" | "discovery"> {
  discovery: true;
  /** The one issuer: an `https:` URL (loopback `http:` allowed) without query or fragment. */
  issuer: string;
  jwksUrl?: undefined;
}

/** `new Verifier(options)`: exactly one of `jwks`, `jwksUrl` and `discovery`, and the claim rules. */
export type VerifierOptions = LocalKeySetOptions | RemoteKeySetOptions | DiscoveryOptions;

/** `verifier.verify(token, options)` and `authority.verify(token, options)`. */
export interface VerifyOptions {
  /** The time to verify at, unix seconds (default: the runtime clock). */
  now?: number;
  /** Scopes that must all appear in `scope` (space-delimited) or `scp` (an array, or space-delimited as Entra ID writes it). */
  requiredScopes?: readonly string[];
}

/** The remote key set cache of a `Verifier` (`exportState()` / `importState(state)`). */
export interface KeySetState {
  url: string;
  /** With `discovery`: the issuer whose metadata named `url`. */
  issuer?: string;
  /** When the set was fetched, unix seconds. */
  fetchedAt: number;
  jwks: JSONWebKeySet<ECPublicJWK | RSAPublicJWK | OKPPublicJWK> | null;
}

/** Verifies JWTs (ES256, ES384, EdDSA/Ed25519, RS256…RS512, PS256…PS512) against a local or remote JWK Set. */
export declare class Verifier {
  /** @throws {TesseraError} `ERR_INVALID_OPTIONS`, `ERR_INVALID_KEY` */
  constructor(options: VerifierOptions);
  /**
   * Verifies `token` (signature, then claims) and resolves its claims; with `jwksUrl`, fetches the
   * set first when it is absent or stale, and once per cooldown when the token's `kid` is unknown.
   * `T` describes claims beyond the registered ones; the caller vouches for their types. A
   * DPoP-bound token (`cnf.jkt`) is refused (`ERR_DPOP_BINDING`): only `verifyRequest` sees its proof.
   */
  verify<T extends object = JWTClaims>(token: string, options?: VerifyOptions): Promise<T & JWTClaims>;
  /** As `verify`, with the keys at hand (never fetching: `ERR_JWKS_FETCH` when no set is loaded). */
  verifySync<T extends object = JWTClaims>(token: string, options?: VerifyOptions): T & JWTClaims;
  /**
   * Verifies the access token of an HTTP request and resolves its claims: `Authorization: Bearer
   * <token>`, or `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449 §4.3, §7.1:
   * signed by the key the token's `cnf.jkt` names, made for this method and URL, recent, for this
   * token, with the current nonce when `dpop.nonceSecret` is set, and never seen before). A
   * DPoP-bound token sent as Bearer is refused (`ERR_DPOP_BINDING`).
   */
  verifyRequest<T extends object = JWTClaims>(request: RequestLike, options?: VerifyOptions): Promise<T & JWTClaims>;
  /** The remote key set cache, or `null` for a local key set. */
  exportState(): KeySetState | null;
  /** Restores an exported cache for the same `jwksUrl`; on error nothing changes. */
  importState(state: KeySetState): void;
  /** Releases the WebAssembly memory now; the verifier cannot be used afterwards (`ERR_FREED`). */
  free(): void;
}

/** `redact(text, options)`. */
export interface RedactOptions {
  /** Base64url key (at least 16 bytes) of the fingerprints (HMAC-SHA-256); default: random per process. */
  fingerprintKey?: string;
}

/** `text` with every token and credential replaced by a keyed fingerprint (`[jwt 5b0e1f4c]`). */
export declare function redact(text: string, options?: RedactOptions): string;

/**
 * The HTTP response for an error from `verify` (RFC 6750): 401 `invalid_token` with
 * `WWW-Authenticate`, 403 `insufficient_scope`, 503 …; 500 for an error that is not Tessera's.
 */
export declare function errorResponse(error: unknown): Response;

// ---------------------------------------------------------------------------------------------
// Stores

/** A record as the `Authority` stores it (see STORE.md); `generation` is the compare-and-set version. */
export interface StoreRecord {
  generation: number;
  [member: string]: unknown;
}

/**
 * The store contract (STORE.md) a custom store implements: a strongly consistent key-value store
 * with a compare-and-set on the record's `generation`. Either method may reject when the backend
 * fails (the authority then answers 503 and has changed nothing).
 */
export interface SessionStore {
  /** The live record under `key`, or `null` when there is none or it has expired. */
  get(key: string): Promise<StoreRecord | null>;
  /**
   * Writes `record` and resolves `true` only if `expectedGeneration` is `null` and no live record
   * exists, or the live record's `generation` equals `expectedGeneration`; else writes nothing and
   * resolves `false`. The record is kept for `ttlSeconds` (seconds). Check and write must be atomic.
   */
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
}

/** The embedded store (the default): a map inside one WebAssembly instance, for one process. */
export declare class MemoryStore implements SessionStore {
  constructor();
  get(key: string): Promise<StoreRecord | null>;
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
  /** Records held (live, and expired ones not yet swept). */
  readonly size: number;
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// Authority

/** The refresh cookie. */
export interface CookieOptions {
  /** Cookie name (default `"tessera_rt"`). */
  name?: string;
  /** The path of the auth endpoints (default `"/auth"`), and the cookie's `Path` unless `hostPrefix`. */
  path?: string;
  /** `__Host-<name>` with `Path=/` (default `false`; see the README's security notes). */
  hostPrefix?: boolean;
}

/** The level of a log line. */
export type LogLevel = "info" | "warn";

/** `new Authority(options)`. */
export interface AuthorityOptions {
  /** `iss` of the access tokens. */
  issuer: string;
  /** `aud` of the access tokens: one string or several. */
  audience: string | readonly string[];
  /** Private JWKs, at least one: the first signs, all are published and accepted (rotation). */
  signingKeys: readonly JWK[];
  /** Seconds an access token lives: whole, 5 to 315360000 (default 300). */
  accessTokenTtl?: number;
  /** Seconds a session lives at most (absolute): whole, 60 to 315360000 (default 1209600, 14 days). */
  sessionTtl?: number;
  /** Seconds a session lives unused: whole, 60 to 315360000 (default 259200, 3 days). */
  idleTtl?: number;
  /** Seconds a rotated refresh token may still be retried (same successor): whole, 0 to 315360000 (default 10). */
  reuseGrace?: number;
  /** Origins allowed to call login, refresh and logout (the `Origin` header), at least one: `https://app.example`. */
  allowedOrigins: readonly string[];
  cookie?: CookieOptions;
  /**
   * Base64url key (at least 32 bytes) authenticating refresh tokens. Required with `store`; without
   * it a random key is made per instance (refresh tokens then live as long as the instance).
   */
  refreshSecret?: string;
  /** `client_id` of the access tokens (default `"tessera"`). */
  clientId?: string;
  /** Live sessions one subject may hold; a login beyond it revokes the oldest: 1 to 10000 (default 50). */
  maxSessionsPerSubject?: number;
  /**
   * DPoP on login, refresh and logout (RFC 9449 §5), default `"off"`. `"allowed"`: a login with a
   * `DPoP` proof binds the session to its key (access tokens get `cnf.jkt`, `token_type` `"DPoP"`,
   * refreshes need a proof by that key). `"required"`: every request needs a proof.
   */
  dpop?: "off" | "allowed" | "required";
  /**
   * Server nonces at the auth endpoints (RFC 9449 §8), kept in no store: base64url of at least 32
   * random bytes (share it across instances). A proof without the current nonce is answered
   * `400 {"error":"use_dpop_nonce"}`; every answer carries `DPoP-Nonce`. Needs `dpop` on.
   */
  dpopNonceSecret?: string;
  /** Seconds a nonce is current (10–3600, default 300); it is accepted for that step and the next. */
  dpopNonceLifetime?: number;
  /** Base64url key (at least 16 bytes) of the fingerprints in log lines (default: derived from `refreshSecret`, else random). */
  fingerprintKey?: string;
  /** Where sessions live (default: a new `MemoryStore`). A custom store needs `refreshSecret`. */
  store?: SessionStore;
  /** The current time in unix seconds, for simulations and tests (default: the runtime clock). */
  clock?: () => number;
  /** Receives one redacted line per handshake event; a logger that throws is ignored. */
  log?: (line: string, level: LogLevel) => void;
}

/** `authority.login(request, options)`, after the app checked the user's credentials. */
export interface LoginOptions {
  /** The subject (user id). */
  sub: string;
  /** Granted scopes, space-delimited. */
  scope?: string;
  /** Extra access-token claims (JSON values); the authority's own claims may not be among them. */
  claims?: {
    iss?: never; sub?: never; aud?: never; exp?: never; iat?: never;
    nbf?: never; jti?: never; client_id?: never; scope?: never; sid?: never;
    [claim: string]: unknown;
  };
}

/**
 * The server side of the refresh handshake: `POST {path}/login`, `/refresh`, `/logout` and
 * `GET /.well-known/jwks.json`, with rotation and reuse detection; verifies its access tokens.
 */
export declare class Authority {
  /** @throws {TesseraError} `ERR_INVALID_OPTIONS`, `ERR_INVALID_KEY` */
  constructor(options: AuthorityOptions);
  /** `POST {path}/login`, after the app checked the credentials: the token response and the cookie. */
  login(request: Request, options: LoginOptions): Promise<Response>;
  /** `POST {path}/refresh` (whatever the URL). */
  refresh(request: Request): Promise<Response>;
  /** `POST {path}/logout` (whatever the URL). */
  logout(request: Request): Promise<Response>;
  /** The handshake's own endpoints (refresh, logout, JWK Set); `null` for any other request. */
  handle(request: Request): Promise<Response | null>;
  /** Logs `sub` out everywhere. */
  revokeSubject(sub: string): Promise<void>;
  /** The public JWK Set (active and retiring keys). */
  jwks(): JSONWebKeySet<ECPublicJWK>;
  /**
   * Verifies an access token (signature, claims, RFC 9068) and that its session is live. A
   * DPoP-bound token (`cnf.jkt`) is refused (`ERR_DPOP_BINDING`): its proof is in the request, so
   * use `verifyRequest`.
   */
  verify<T extends object = SessionClaims>(token: string, options?: VerifyOptions): Promise<T & SessionClaims>;
  /**
   * Verifies a request's access token as a `Verifier`'s `verifyRequest` does (Bearer, or DPoP with
   * a proof by the key of `cnf.jkt`, its `jti` remembered by this instance's bounded replay cache,
   * not the session store), then that its session is live.
   */
  verifyRequest<T extends object = SessionClaims>(request: RequestLike, options?: VerifyOptions): Promise<T & SessionClaims>;
  /** The HTTP response for an error from `verify`, `verifyRequest` or a `Verifier`: 401 `invalid_token` (a DPoP challenge for DPoP requests), 403 `insufficient_scope`, 503 …; 500 otherwise. */
  static errorResponse(error: unknown): Response;
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// Signer

/** `new Signer(options)`. */
export interface SignerOptions {
  /** The private P-256 JWK that signs (`kid` from it, else its RFC 7638 thumbprint). */
  privateJwk: JWK;
  /** `iss` of every token (then `iss` may not be passed in the claims). */
  issuer?: string;
  /** `aud` of every token: one string or several (then `aud` may not be passed in the claims). */
  audience?: string | readonly string[];
}

/** `signer.sign(claims, options)`. */
export interface SignOptions {
  /** The issue time, unix seconds (default: the runtime clock). */
  now?: number;
  /** Seconds until `exp`: whole, 1 to 31536000 (default 300). */
  expiresIn?: number;
  /** The `typ` header (default `"at+jwt"`). */
  typ?: string;
}

/** Claims to sign: the signer sets `iat`, `exp` and `jti` itself (and `iss`/`aud` when configured). */
export interface SignClaims {
  iss?: string;
  sub?: string;
  aud?: string | readonly string[];
  nbf?: number;
  client_id?: string;
  scope?: string;
  scp?: readonly string[];
  iat?: never;
  exp?: never;
  jti?: never;
  [claim: string]: unknown;
}

/** Signs ES256 JWTs (RFC 9068 access tokens by default). */
export declare class Signer {
  /** @throws {TesseraError} `ERR_INVALID_OPTIONS`, `ERR_INVALID_KEY` */
  constructor(options: SignerOptions);
  /** The compact JWS of `claims` (by the runtime's crypto where faster, else in Rust). */
  sign(claims: SignClaims, options?: SignOptions): Promise<string>;
  /** As `sign`, synchronously. */
  signSync(claims: SignClaims, options?: SignOptions): string;
  /** The `kid` in every token header. */
  readonly kid: string;
  /** The public JWK of the signing key. */
  publicJwk(): ECPublicJWK;
  free(): void;
}

/** `generateKeyPair(options)`. */
export interface KeyPairOptions {
  /** The keys' `kid` (default: the RFC 7638 thumbprint). */
  kid?: string;
}

/** A new key pair: both JWKs carry `kid`, `alg: "ES256"` and `use: "sig"`. */
export interface KeyPair {
  privateJwk: ECPrivateJWK & { kid: string; alg: "ES256"; use: "sig" };
  publicJwk: ECPublicJWK & { kid: string; alg: "ES256"; use: "sig" };
}

/** A new P-256 key pair from the platform's cryptographic random source. */
export declare function generateKeyPair(options?: KeyPairOptions): KeyPair;
