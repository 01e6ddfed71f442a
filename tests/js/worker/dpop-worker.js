// A resource server that takes DPoP-bound tokens (verifier.verifyRequest), remembering seen
// proofs in a Durable Object store: every request gets a fresh Verifier, so a replay can only be
// caught by the shared store, as it would be across isolates.
import { Verifier, errorResponse } from "../../../pkg/verify/workerd.js";
import { DurableObjectStore, TesseraStoreObject } from "../../../pkg/durable-object.js";

export { TesseraStoreObject };

export default {
  async fetch(request, env) {
    const verifier = new Verifier({
      jwks: JSON.parse(env.JWKS),
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      dpop: { replayStore: new DurableObjectStore(env.SEEN) },
    });
    try {
      const claims = await verifier.verifyRequest(request);
      return Response.json({ sub: claims.sub });
    } catch (error) {
      return errorResponse(error);
    } finally {
      verifier.free();
    }
  },
};
