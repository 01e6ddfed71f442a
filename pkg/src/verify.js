// The verify role's public API over its WebAssembly core: `Verifier`, `redact`, `errorResponse`.
// This glue converts (options and claims as JSON text, made inside a `try`), schedules (one key
// set fetch shared by concurrent verifications, except in workerd), fetches (within the core's
// byte budget) and has the runtime's crypto check the signatures the core hands out (see
// runtime-verifier.js). Every decision — when to fetch, what a fetch's answer means, every check of a
// token — is the core's.

import { TesseraError, fail, freed, json, parse } from "./errors.js";
import { fetchCapped } from "./fetch.js";
import { signatureChecker } from "./runtime-verifier.js";

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

/** A Tessera error's own property `name` if it is a string (a DPoP nonce, the scheme), else
 * `undefined`; never throws. */
function stringProperty(error, name) {
  try {
    const value = error instanceof TesseraError ? error[name] : undefined;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** One header of `headers` (a `Headers`, or a plain object of strings, names in any case). */
function headerOf(headers, name) {
  if (typeof headers?.get === "function") {
    const value = headers.get(name);
    return value === null ? undefined : value;
  }
  let found;
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name) continue;
    // Two spellings of one header are two headers: joined as HTTP joins them.
    found = found === undefined ? value : `${found}, ${value}`;
  }
  return found;
}

/** `{ method, url, authorization, dpop }` of a `Request` or `{ method, url, headers }`, read here
 * (inside a `try`: a throwing getter is `ERR_MALFORMED`, not an exception under wasm frames). */
export function requestParts(request) {
  let parts;
  try {
    const { method, url, headers } = request;
    parts = { method, url, authorization: headerOf(headers, "authorization"), dpop: headerOf(headers, "dpop") };
  } catch {
    parts = undefined;
  }
  const text = (value) => value === undefined || typeof value === "string";
  if (!parts || typeof parts.method !== "string" || typeof parts.url !== "string" || !text(parts.authorization) || !text(parts.dpop)) {
    throw fail("ERR_MALFORMED", "verifyRequest needs a Request or { method, url, headers } with string values");
  }
  return parts;
}

/** Checks and wraps the application's replay store (the store contract's `put`). */
function replayStoreOf(options) {
  let store;
  try {
    store = options?.dpop?.replayStore;
  } catch {
    throw fail("ERR_INVALID_OPTIONS", "Verifier option dpop could not be read", "dpop");
  }
  if (store === undefined || store === null) return undefined;
  let put;
  try {
    put = store.put;
  } catch {
    put = undefined;
  }
  if (typeof put !== "function") {
    throw fail("ERR_INVALID_OPTIONS", "Verifier option dpop.replayStore must have put(key, record, expected, ttl), as the store contract says", "dpop");
  }
  return { put: (key, ttl) => put.call(store, key, { generation: 1 }, null, ttl) };
}

/**
 * The verify API over an instantiated core module `wasm` (the wasm-bindgen exports of a build
 * that has the verify role).
 */
export function verifyApi(wasm) {

  class Verifier {
    #core;
    #pending = null;
    #replayStore;
    #checker;

    /** `new Verifier({ jwks | jwksUrl, issuer, audience, dpop, … })` (see the README). */
    constructor(options) {
      if (options === undefined || options === null) throw fail("ERR_INVALID_OPTIONS", "Verifier options are required");
      const replayStore = replayStoreOf(options);
      let plain = options;
      if (replayStore) {
        // The core learns only that the application keeps the replay store.
        try {
          plain = { ...options, dpop: { ...options.dpop, replayStore: true } };
        } catch {
          throw fail("ERR_INVALID_OPTIONS", "Verifier option dpop could not be read", "dpop");
        }
      }
      this.#core = new wasm.VerifierCore(json(plain, "Verifier options"));
      this.#replayStore = replayStore;
      this.#checker = signatureChecker();
      if (this.#checker.algorithms) this.#core.setRuntimeAlgorithms(this.#checker.algorithms);
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
      // The core asks for at most three fetches (the OpenID metadata, RFC 8414's, the key set)
      // and one signature check (asked again only if its ticket was crowded out by 256 others
      // meanwhile); the bounds only guard against a loop.
      for (let fetches = 0, checks = 0; ; ) {
        let claims = core.attempt(text, optionsText, Date.now(), fetches > 0);
        const ticket = core.signatureTicket;
        if (ticket !== 0) {
          if (++checks > 2) throw fail("ERR_BAD_SIGNATURE", "the signature could not be checked");
          // node:crypto answers at once; WebCrypto with a promise.
          let verdict = this.#checker.check(core);
          if (typeof verdict !== "number") verdict = await verdict;
          claims = core.settle(ticket, verdict);
        }
        if (claims !== undefined) return parse(claims);
        if (ticket !== 0) continue;
        if (fetches >= 3) throw fail("ERR_JWKS_FETCH", "the key set could not be loaded");
        await this.#fetchKeys(core);
        fetches += 1;
      }
    }

    /**
     * Verifies the access token of an HTTP request (a `Request`, or `{ method, url, headers }`):
     * `Authorization: Bearer …`, or `Authorization: DPoP …` with its `DPoP` proof (RFC 9449),
     * which must match the request and the token's `cnf.jkt`, and is accepted once. Resolves the
     * token's claims. Errors from a DPoP request carry `scheme: "DPoP"` (and `dpopNonce` for
     * `ERR_USE_DPOP_NONCE`) so that `errorResponse` answers with the right challenge.
     */
    async verifyRequest(request, options) {
      const core = this.#live();
      const { method, url, authorization, dpop } = requestParts(request);
      const optionsText = json(options, "verify options");
      try {
        let claims;
        // As in verify: with discovery the core may ask for the metadata before the key set.
        let fetches = 0;
        let checks = 0;
        const checker = this.#checker;
        for (;;) {
          claims = core.attemptRequest(method, url, authorization, dpop, optionsText, Date.now(), fetches > 0, checker.proofs);
          const ticket = core.signatureTicket;
          if (ticket !== 0) {
            // The token's signature (for the runtime's algorithms), then the proof's: settling
            // the token's caches it, and the request starts over. (A check is asked again only
            // if its ticket was crowded out by 256 others meanwhile.)
            if (++checks > 4) throw fail("ERR_INVALID_DPOP_PROOF", "the DPoP proof's signature could not be checked");
            let verdict = checker.check(core);
            if (typeof verdict !== "number") verdict = await verdict;
            claims = core.settle(ticket, verdict);
          }
          if (claims !== undefined) break;
          if (ticket !== 0) continue;
          if (fetches >= 3) throw fail("ERR_JWKS_FETCH", "the key set could not be loaded");
          await this.#fetchKeys(core);
          fetches += 1;
        }
        const [key, ttl] = [core.replayKey, core.replayTtl];
        if (key !== undefined) {
          let fresh;
          try {
            fresh = (await this.#replayStore.put(key, ttl)) === true;
          } catch {
            throw fail("ERR_STORE_UNAVAILABLE", "the DPoP replay store failed");
          }
          if (!fresh) throw fail("ERR_DPOP_REPLAY", "the DPoP proof was used before", "jti");
        }
        return parse(claims);
      } catch (error) {
        if (error instanceof TesseraError && /^dpop /i.test(authorization ?? "")) {
          error.scheme = "DPoP";
          if (error.code === "ERR_USE_DPOP_NONCE") error.dpopNonce = core.dpopNonce;
        }
        throw error;
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

  /** The HTTP response for an error from `verify` or `verifyRequest` (RFC 6750, RFC 9449 §7.1):
   * 401 `invalid_token` with `WWW-Authenticate` (a DPoP challenge for DPoP requests and codes,
   * `DPoP-Nonce` with `use_dpop_nonce`), 403 `insufficient_scope`, 503 …; 500 for an error that
   * is not Tessera's. */
  function errorResponse(error) {
    const dpop = stringProperty(error, "scheme") === "DPoP";
    return toResponse(parse(wasm.errorResponse(codeOf(error), dpop, stringProperty(error, "dpopNonce"))));
  }

  return { Verifier, redact, errorResponse, TesseraError };
}
