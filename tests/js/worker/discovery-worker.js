// A resource server on the verify build that finds its keys through the issuer's metadata
// (discovery): one Verifier per isolate, shared by requests (each fetches for itself in workerd).
import { Verifier } from "../../../pkg/verify/workerd.js";

let verifier;

export default {
  async fetch(request, env) {
    verifier ??= new Verifier({ issuer: env.ISSUER, discovery: true, audience: env.AUDIENCE, cooldownDuration: 0, algorithms: ["RS256"] });
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    try {
      const claims = await verifier.verify(token);
      return Response.json({ ok: true, sub: claims.sub, state: verifier.exportState() });
    } catch (error) {
      return Response.json({ ok: false, code: error.code });
    }
  },
};
