// tessera-auth/verify, typed as an application uses it (compiled, never run).
import { Verifier, TesseraError, errorResponse, redact } from "tessera-auth/verify";
import type { ErrorCode, JWSAlgorithm, JWTClaims, RSAPublicJWK, VerifierOptions } from "tessera-auth/verify";

const options: VerifierOptions = {
  jwksUrl: "https://auth.example/.well-known/jwks.json",
  issuer: "https://auth.example",
  audience: ["https://api.example", "https://admin.example"],
  cacheMaxAge: 600_000,
  cooldownDuration: 30_000,
  timeoutDuration: 5_000,
  clockTolerance: 5,
  maxTokenAge: 3600,
  profile: "at+jwt",
};
const verifier = new Verifier(options);
const local = new Verifier({ jwks: { keys: [{ kty: "EC", crv: "P-256", x: "…", y: "…", kid: "k1" }] }, typ: "at+jwt" });

export async function handle(request: Request): Promise<Response> {
  const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
  try {
    const claims: JWTClaims = await verifier.verify(token, { requiredScopes: ["read"], now: Date.now() / 1000 });
    const sub: string | undefined = claims.sub;
    const aud: string | string[] | undefined = claims.aud;
    const exp: number | undefined = claims.exp;
    const extra: unknown = claims.tenant;
    // @ts-expect-error a claims field used with the wrong type: sub is a string
    const n: number = claims.sub;

    const typed = local.verifySync<{ role: "admin" | "user" }>(token);
    const role: "admin" | "user" = typed.role;
    const iat: number | undefined = typed.iat;
    return Response.json({ sub, aud, exp, extra, n, role, iat, state: verifier.exportState()?.fetchedAt });
  } catch (error) {
    if (error instanceof TesseraError) {
      const code: ErrorCode = error.code;
      const claim: string | undefined = error.claim;
      console.log(redact(`refused ${code} ${claim ?? ""}`, { fingerprintKey: "AAAAAAAAAAAAAAAAAAAAAA" }));
    }
    return errorResponse(error);
  } finally {
    local.free();
  }
}

// DPoP-bound tokens: a Request (or { method, url, headers }), the dpop options, the error fields.
const dpopVerifier = new Verifier({
  jwks: { keys: [] },
  dpop: { required: true, maxAge: 120, nonceSecret: "c2VjcmV0", nonceLifetime: 300, replayStore: { put: async () => true } },
});
export async function handleDpop(request: Request): Promise<Response> {
  try {
    const claims = await dpopVerifier.verifyRequest<{ cnf: { jkt: string } }>(request);
    const jkt: string = claims.cnf.jkt;
    const plain = await dpopVerifier.verifyRequest({ method: "GET", url: request.url, headers: { authorization: "DPoP x", dpop: "y" } });
    return Response.json({ jkt, sub: plain.sub });
  } catch (error) {
    if (error instanceof TesseraError && error.code === "ERR_USE_DPOP_NONCE") {
      const nonce: string | undefined = error.dpopNonce;
      const scheme: "DPoP" | undefined = error.scheme;
      console.log(nonce, scheme);
    }
    return errorResponse(error);
  }
}
// @ts-expect-error dpop.maxAge is a number of seconds
new Verifier({ jwks: { keys: [] }, dpop: { maxAge: "2m" } });
// @ts-expect-error a replay store needs put
new Verifier({ jwks: { keys: [] }, dpop: { replayStore: {} } });
// @ts-expect-error verifyRequest needs a request, not a token
dpopVerifier.verifyRequest("token");

// @ts-expect-error a misspelled option
new Verifier({ jwksUrl: "https://auth.example/jwks", audiance: "api" });
// @ts-expect-error a wrong option type: clockTolerance is a number of seconds
new Verifier({ jwksUrl: "https://auth.example/jwks", clockTolerance: "5m" });
// @ts-expect-error cacheMaxAge applies only with jwksUrl
new Verifier({ jwks: { keys: [] }, cacheMaxAge: 1000 });
// @ts-expect-error exactly one of jwks and jwksUrl
new Verifier({ issuer: "https://auth.example" });
// Keys as identity providers publish them, and the algorithms that choose RS or PS for them.
const rsa: RSAPublicJWK = { kty: "RSA", n: "…", e: "AQAB", kid: "r1", x5c: ["MIIC…"], x5t: "…", "x5t#S256": "…" };
const algorithms: JWSAlgorithm[] = ["RS256", "PS256", "ES384", "EdDSA", "Ed25519"];
new Verifier({ jwks: { keys: [rsa, { kty: "OKP", crv: "Ed25519", x: "…" }] }, algorithms: ["RS256", "ES256"] });
new Verifier({ jwksUrl: "https://auth.example/jwks", algorithms });
// @ts-expect-error HMAC is never verified
new Verifier({ jwks: { keys: [] }, algorithms: ["HS256"] });
// @ts-expect-error requiredScopes is a list
verifier.verifySync("token", { requiredScopes: "read" });
// @ts-expect-error not an error code
const wrong: ErrorCode = "ERR_NOPE";

// OpenID Connect / RFC 8414 discovery: one issuer, the metadata names the key set.
const discovered = new Verifier({ issuer: "https://tenant.example.com/", discovery: true, audience: "api", claims: { token_use: "access", client_id: ["a", "b"], ver: "2.0" } });
const discoveredState: string | undefined = discovered.exportState()?.issuer;
// @ts-expect-error discovery takes one issuer, not a list
new Verifier({ issuer: ["https://a.example", "https://b.example"], discovery: true });
// @ts-expect-error discovery and jwksUrl exclude each other
new Verifier({ issuer: "https://a.example", discovery: true, jwksUrl: "https://a.example/jwks" });
// @ts-expect-error claims values are strings, numbers or booleans
new Verifier({ jwks: { keys: [] }, claims: { tid: { id: "x" } } });
export { discoveredState };
