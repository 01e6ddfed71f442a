// A resource server on the verify build alone: verifies the bearer token of each request against
// the JWK Set in env.JWKS (local) or at env.JWKS_URL (remote).
import { Verifier, errorResponse, redact, TesseraError } from "../../../pkg/verify/workerd.js";
import * as entry from "../../../pkg/verify/workerd.js";

let local, remote;

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/exports") return Response.json(Object.keys(entry).sort());
    local ??= new Verifier({ jwks: JSON.parse(env.JWKS), issuer: env.ISSUER, audience: env.AUDIENCE });
    remote ??= new Verifier({ jwksUrl: env.JWKS_URL, issuer: env.ISSUER, audience: env.AUDIENCE });
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    try {
      const claims = await (pathname === "/remote" ? remote : local).verify(token);
      return Response.json({ sub: claims.sub, line: redact(`Authorization: Bearer ${token}`) });
    } catch (error) {
      const response = errorResponse(error);
      return new Response(await response.text(), {
        status: response.status,
        headers: { "www-authenticate": response.headers.get("www-authenticate") ?? "", "x-tessera-error": String(error instanceof TesseraError) },
      });
    }
  },
};
