// Bench worker: verifies the request's bearer token with tessera-auth/verify (its workerd entry,
// pkg/verify/workerd.js, which instantiates the module at global scope) against the key set in the
// JWKS var, and answers the token's `sub`. The Verifier is made on the first request (as a worker
// whose options come from `env` must), so a fresh isolate's first request pays for it.
// STEP (var) stops early, to split the first request's cost: "import" answers "ok" at once (the
// module is loaded and instantiated, nothing called); "construct" makes the Verifier and answers
// "ok"; "verify" (default) verifies.
import { Verifier, errorResponse } from "../pkg/verify/workerd.js";

let verifier;

export default {
  async fetch(request, env) {
    if (env.STEP === "import") return new Response("ok");
    verifier ??= new Verifier({ jwks: JSON.parse(env.JWKS), issuer: env.ISSUER, audience: env.AUDIENCE, algorithms: ["ES256"] });
    if (env.STEP === "construct") return new Response("ok");
    const authorization = request.headers.get("authorization") ?? "";
    try {
      const claims = await verifier.verify(authorization.replace(/^Bearer /, ""));
      return new Response(claims.sub);
    } catch (error) {
      return errorResponse(error);
    }
  },
};
