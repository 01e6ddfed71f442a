// The verify build in workerd, for every algorithm: POST { jwks, options, tokens } verifies each
// token (sync and async) with a Verifier made for the request and answers each result.
import { Verifier } from "../../../pkg/verify/workerd.js";

async function outcome(run) {
  try {
    const claims = await run();
    return { ok: true, sub: claims.sub };
  } catch (error) {
    return { ok: false, code: error.code, claim: error.claim };
  }
}

export default {
  async fetch(request) {
    const { jwks, options, tokens } = await request.json();
    const verifier = new Verifier({ jwks, ...options });
    try {
      const results = [];
      for (const token of tokens) {
        results.push({ sync: await outcome(() => verifier.verifySync(token)), async: await outcome(() => verifier.verify(token)) });
      }
      return Response.json(results);
    } finally {
      verifier.free();
    }
  },
};
