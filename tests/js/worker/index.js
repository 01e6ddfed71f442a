// A test worker for workerd: uses the built package's workerd entry the way a worker would.
import { Verifier, Signer, generateKeyPair } from "../../../pkg/authority/workerd.js";
import { GLOBAL_JWK } from "./global-key.js";

// workerd forbids random values at a worker's global scope: generating a key here must fail with
// a coded error (ERR_UNSUPPORTED), not a panic that would stop the worker from starting.
let globalScope;
try {
  generateKeyPair({ kid: "global" });
  globalScope = { ok: true };
} catch (error) {
  globalScope = { ok: false, name: error.name, code: error.code };
}
// Signing needs a random `jti`, drawn from the per-request random pool: its first refill fails here,
// and the same signer must sign once a handler runs (the failed refill leaves nothing behind).
const globalSigner = new Signer({ privateJwk: GLOBAL_JWK, issuer: "https://global.example", audience: "global" });
try {
  globalSigner.signSync({ sub: "global" });
  globalScope.sign = { ok: true };
} catch (error) {
  globalScope.sign = { ok: false, name: error.name, code: error.code };
}

let remote; // one verifier per isolate, created on first use (env is only known in a handler)

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function attempt(fn) {
  try {
    return json({ ok: true, value: await fn() });
  } catch (error) {
    return json({ ok: false, name: error.name, code: error.code, claim: error.claim, message: error.message, isError: error instanceof Error });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : {};
    switch (url.pathname) {
      case "/verify":
        return attempt(() => new Verifier({ jwks: JSON.parse(env.JWKS), issuer: env.ISSUER, audience: env.AUDIENCE }).verify(body.token, body.options));
      case "/verify-sync":
        return attempt(() => new Verifier({ jwks: JSON.parse(env.JWKS), issuer: env.ISSUER, audience: env.AUDIENCE }).verifySync(body.token, body.options));
      case "/sign":
        // Random values (the jti) are only allowed inside a handler in workerd.
        return attempt(() => new Signer({ privateJwk: JSON.parse(env.PRIVATE_JWK), issuer: env.ISSUER, audience: env.AUDIENCE }).sign({ sub: "worker-user" }, { expiresIn: 60 }));
      case "/global-scope":
        return json(globalScope);
      case "/global-signer":
        return attempt(() => [globalSigner.signSync({ sub: "first" }), globalSigner.signSync({ sub: "second" })]);
      case "/generate":
        return attempt(() => generateKeyPair({ kid: "w" }).publicJwk);
      case "/verify-remote":
        remote ??= new Verifier({ jwksUrl: env.JWKS_URL, issuer: env.ISSUER, audience: env.AUDIENCE });
        return attempt(() => remote.verify(body.token));
      default:
        return json({ error: "not found" }, 404);
    }
  },
};
