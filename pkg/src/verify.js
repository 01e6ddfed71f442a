// The verify role's public API over its WebAssembly core: `Verifier`, `redact`, `errorResponse`.
// This glue converts (options and claims as JSON text, made inside a `try`), schedules (one key
// set fetch shared by concurrent verifications, except in workerd) and fetches (within the core's
// byte budget). Every decision — when to fetch, what a fetch's answer means, every check of a
// token — is the core's.

import { TesseraError, fail, freed, json, parse } from "./errors.js";
import { fetchCapped } from "./fetch.js";

/** Whether this is Cloudflare's workerd, where a promise for I/O started by one request must not
 * be awaited by another. */
export function isWorkerd() {
  return globalThis.navigator?.userAgent === "Cloudflare-Workers";
}

/** A token argument: a string, else `ERR_MALFORMED` (as the core says of a bad token). */
function tokenText(token) {
  if (typeof token !== "string") throw fail("ERR_MALFORMED", "the token must be a string");
  return token;
}

/** The `Response` for a core response description `{ status, headers, body }`. */
export function toResponse(description) {
  const headers = new Headers({ "content-type": "application/json" });
  for (const [name, value] of description.headers) headers.append(name, value);
  return new Response(JSON.stringify(description.body), { status: description.status, headers });
}

/** The error code of a Tessera error, `undefined` for anything else (which answers 500). */
export function codeOf(error) {
  try {
    return error instanceof TesseraError && typeof error.code === "string" ? error.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The verify API over an instantiated core module `wasm` (the wasm-bindgen exports of a build
 * that has the verify role).
 */
export function verifyApi(wasm) {

  class Verifier {
    #core;
    #pending = null;

    /** `new Verifier({ jwks | jwksUrl, issuer, audience, … })` (see the README). */
    constructor(options) {
      if (options === undefined || options === null) throw fail("ERR_INVALID_OPTIONS", "Verifier options are required");
      this.#core = new wasm.VerifierCore(json(options, "Verifier options"));
    }

    #live() {
      if (this.#core === undefined) throw freed("Verifier");
      return this.#core;
    }

    /** Verifies `token` with the keys at hand (never fetching) and returns its claims. */
    verifySync(token, options) {
      const core = this.#live();
      return parse(core.verify(tokenText(token), json(options, "verify options"), Date.now()));
    }

    /** Verifies `token`, fetching the remote key set (with `discovery`, the issuer's metadata
     * first) when the core says so; resolves its claims. */
    async verify(token, options) {
      const core = this.#live();
      const text = tokenText(token);
      const optionsText = json(options, "verify options");
      // The core asks for at most three fetches (the OpenID metadata, RFC 8414's, the key set);
      // the bound only guards against a loop.
      for (let fetches = 0; ; fetches += 1) {
        const claims = core.attempt(text, optionsText, Date.now(), fetches > 0);
        if (claims !== undefined) return parse(claims);
        if (fetches >= 3) throw fail("ERR_JWKS_FETCH", "the key set could not be loaded");
        await this.#fetchKeys(core);
      }
    }

    /** One fetch of the key set and its answer handed to the core; shared by concurrent calls,
     * except in workerd (no promise may outlive the request that made it there). */
    #fetchKeys(core) {
      // What to fetch, read at once: another verification may ask for a fetch meanwhile.
      const [url, maxBytes, timeout, at] = [core.fetchUrl, core.fetchMaxBytes, core.fetchTimeout, core.fetchAt];
      const run = async () => {
        const { status, body } = await fetchCapped(url, maxBytes, timeout);
        core.absorb(url, status, body, at);
      };
      if (isWorkerd()) return run();
      this.#pending ??= run().finally(() => {
        this.#pending = null;
      });
      return this.#pending;
    }

    /** The remote key set cache (`{ url, fetchedAt, jwks }`), or `null` for a local key set. */
    exportState() {
      const state = this.#live().exportState();
      return state === undefined ? null : parse(state);
    }

    /** Restores an exported cache for the same `jwksUrl`; on error nothing changes. */
    importState(state) {
      const core = this.#live();
      if (typeof state !== "object" || state === null) throw fail("ERR_INVALID_OPTIONS", "the imported state must be an object", "state");
      core.importState(json(state, "the imported state", "state"));
    }

    /** Releases the WebAssembly memory now; the verifier cannot be used afterwards. */
    free() {
      this.#core?.free();
      this.#core = undefined;
    }
  }

  /** `redact(text, { fingerprintKey })`: credentials in `text` replaced by fingerprints. */
  function redact(text, options) {
    if (typeof text !== "string") throw fail("ERR_INVALID_OPTIONS", "redact needs a string", "text");
    return wasm.redact(text, json(options, "redact options"));
  }

  /** The HTTP response for an error from `verify` (RFC 6750): 401 `invalid_token` with
   * `WWW-Authenticate`, 403 `insufficient_scope`, 503 …; 500 for an error that is not Tessera's. */
  function errorResponse(error) {
    return toResponse(parse(wasm.errorResponse(codeOf(error))));
  }

  return { Verifier, redact, errorResponse, TesseraError };
}
