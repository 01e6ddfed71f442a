// The verify build in workerd, for every algorithm: POST { jwks, options, tokens, subtle } verifies
// each token (sync and async) with two Verifiers made for the request and answers each result, and
// how often WebCrypto's verify and importKey ran. `subtle`: "real" (count only), "import-reject"
// (importKey rejects), "verify-reject" (verify rejects), "lie" (verify says false): the async path
// checks RS*/PS*/ES384/EdDSA signatures with WebCrypto here (pkg/src/runtime-verifier.js).
import { Verifier } from "../../../pkg/verify/workerd.js";

async function outcome(run) {
  try {
    const claims = await run();
    return { ok: true, sub: claims.sub };
  } catch (error) {
    return { ok: false, code: error.code, claim: error.claim };
  }
}

function instrument(mode) {
  const subtle = crypto.subtle;
  const { verify, importKey } = subtle;
  const calls = { verify: 0, importKey: 0 };
  subtle.verify = async (...args) => {
    calls.verify += 1;
    if (mode === "verify-reject") throw new Error("no");
    if (mode === "lie") return false;
    return verify.apply(subtle, args);
  };
  subtle.importKey = async (...args) => {
    calls.importKey += 1;
    if (mode === "import-reject") throw new Error("no");
    return importKey.apply(subtle, args);
  };
  const restore = () => {
    subtle.verify = verify;
    subtle.importKey = importKey;
  };
  return { calls, restore };
}

export default {
  async fetch(request) {
    const { jwks, options, tokens, subtle = "real" } = await request.json();
    const faults = instrument(subtle);
    // One Verifier per path: a token verified by one would be in its cache for the other.
    const [sync, async] = [new Verifier({ jwks, ...options }), new Verifier({ jwks, ...options })];
    try {
      const results = [];
      for (const token of tokens) {
        results.push({ sync: await outcome(() => sync.verifySync(token)), async: await outcome(() => async.verify(token)) });
      }
      return Response.json({ results, calls: faults.calls });
    } finally {
      faults.restore();
      sync.free();
      async.free();
    }
  },
};
