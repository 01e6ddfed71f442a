// The authority role's public API over its WebAssembly core: `Authority`, `MemoryStore`,
// `Signer`, `generateKeyPair` (and the verify role's `Verifier`, `redact`, `errorResponse`).
// The glue reads requests (headers, and bodies within the core's size limit), wraps custom
// stores, loggers and clocks so that no user code ever runs under a WebAssembly frame, and picks
// who signs (the runtime where that is faster). The handshake's decisions are all the core's.

import { TesseraError, fail, freed, functionOption, json, parse } from "./errors.js";
import { readCapped } from "./fetch.js";
import { runtimeSigner } from "./runtime-signer.js";
import { keyMembers, signerApi } from "./signer.js";
import { isObject, storeApi } from "./store.js";
import { verifyApi } from "./verify.js";

/** The JSON text of a request as the core reads it: method, URL, the three headers that matter,
 * and the body's length (the declared one, or what a bounded read found when that is more). */
async function requestText(request, maxBody, readBody) {
  let read;
  try {
    if (!(request instanceof Request)) throw new TypeError();
    const header = (name) => request.headers.get(name);
    const declared = Number(header("content-length") ?? 0);
    let bodyLength = Number.isFinite(declared) && declared >= 0 ? declared : maxBody + 1;
    if (readBody && request.body !== null && !request.bodyUsed) {
      // A clone, so that the caller can still read the body; the read stops past the limit.
      const bytes = await readCapped(request.clone().body, maxBody + 1);
      bodyLength = Math.max(bodyLength, bytes.byteLength);
    }
    read = {
      method: request.method,
      url: request.url,
      origin: header("origin"),
      csrf: header("tessera-request"),
      cookie: header("cookie"),
      bodyLength,
      dpop: header("dpop"),
    };
  } catch {
    throw fail("ERR_INVALID_OPTIONS", "a Request is required", "request");
  }
  return JSON.stringify(read);
}

/** The API of a build with the authority role. */
export function authorityApi(wasm) {
  const { Verifier, redact, errorResponse } = verifyApi(wasm);
  const maxBody = wasm.AuthorityCore.maxBodyBytes();

  const { MemoryStore, storeAdapter } = storeApi(wasm);
  const { Signer, generateKeyPair } = signerApi(wasm);

  class Authority {
    #core;
    #clock;
    /** `verifyRequest`'s verifier of this authority's tokens (made on first use). */
    #requests;
    #requestOptions;

    /** `new Authority({ issuer, audience, signingKeys, allowedOrigins, … })` (see the README). */
    constructor(options) {
      if (!isObject(options)) throw fail("ERR_INVALID_OPTIONS", "Authority options are required");
      let store, clock, log, text;
      try {
        ({ store, clock, log } = options);
        const data = { ...options };
        delete data.store;
        delete data.clock;
        delete data.log;
        text = JSON.stringify(data);
      } catch {
        throw fail("ERR_INVALID_OPTIONS", "Authority options must be a plain, JSON-compatible object");
      }
      this.#clock = functionOption(clock, "Authority", "clock");
      const logger = functionOption(log, "Authority", "log");
      let memory, adapter;
      if (MemoryStore.isMemoryStore(store)) memory = MemoryStore.share(store);
      else if (store !== undefined && store !== null) {
        if (!isObject(store)) throw fail("ERR_INVALID_OPTIONS", "option store must be an object", "store");
        adapter = storeAdapter(store);
      }
      // A logger that throws is ignored: logging never changes an answer.
      const logLine = logger && ((line, level) => {
        try {
          logger(line, level);
        } catch {}
      });
      let signer = null;
      const sign = async (input) => signer?.sign(input) ?? null;
      this.#core = new wasm.AuthorityCore(text, memory, adapter, logLine, sign);
      const { issuer, audience } = parse(text);
      // verifyRequest's DPoP proofs are spent in the verifier's own bounded cache, never in the
      // session store: one record per API request there would let one client fill it (and a full
      // MemoryStore refuses logins).
      this.#requestOptions = { issuer, audience, dpop: {} };
      const key = keyMembers(parse(text).signingKeys?.[0]);
      const core = this.#core;
      signer = key && runtimeSigner(key, (input, signature) => core.verifies(input, signature));
    }

    #live() {
      if (this.#core === undefined) throw freed("Authority");
      return this.#core;
    }

    /** Unix milliseconds from the `clock` option (unix seconds) or the runtime. */
    #now() {
      if (this.#clock === undefined) return Date.now();
      let seconds;
      try {
        seconds = this.#clock();
      } catch {
        seconds = undefined;
      }
      if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > 253402300799) {
        throw fail("ERR_INVALID_OPTIONS", "option clock must return unix seconds", "clock");
      }
      return seconds * 1000;
    }

    /** `POST {path}/login`, after the app checked the credentials → `Promise<Response>`. */
    async login(request, options) {
      const core = this.#live();
      const requestJson = await requestText(request, maxBody, true);
      let optionsJson;
      try {
        optionsJson = json(options, "login options");
      } catch (error) {
        return errorResponse(error);
      }
      return core.login(requestJson, optionsJson, this.#now());
    }

    async #endpoint(request, only) {
      const core = this.#live();
      let route = only;
      if (route === undefined) {
        try {
          route = core.route(request.url, request.method);
        } catch {
          throw fail("ERR_INVALID_OPTIONS", "a Request is required", "request");
        }
        if (route === undefined) return null;
      }
      const requestJson = await requestText(request, maxBody, route !== "jwks");
      return core.handle(requestJson, this.#now(), route);
    }

    /** `POST {path}/refresh` → `Promise<Response>`. */
    refresh(request) {
      return this.#endpoint(request, "refresh");
    }

    /** `POST {path}/logout` → `Promise<Response>`. */
    logout(request) {
      return this.#endpoint(request, "logout");
    }

    /** The handshake's own endpoints → `Promise<Response>`; anything else → `Promise<null>`. */
    handle(request) {
      return this.#endpoint(request, undefined);
    }

    /** Log a subject out everywhere. */
    async revokeSubject(sub) {
      const core = this.#live();
      if (typeof sub !== "string") throw fail("ERR_INVALID_OPTIONS", "a subject string is required", "sub");
      await core.revokeSubject(sub, this.#now());
    }

    /** The public JWK Set (active and retiring keys). */
    jwks() {
      return this.#live().jwks();
    }

    /** Verifies an access token (signature, claims, RFC 9068) and that its session is live. */
    async verify(token, options) {
      const core = this.#live();
      if (typeof token !== "string") throw fail("ERR_MALFORMED", "the token must be a string");
      return parse(await core.verify(token, json(options, "verify options"), this.#now()));
    }

    /** Verifies a request's access token as `verify` does, and a DPoP-bound one with its proof
     * (RFC 9449, as `Verifier.verifyRequest`: `Authorization: DPoP` and a `DPoP` proof by the key of
     * `cnf.jkt`, spent in this instance's bounded replay cache), then that its session is live. */
    async verifyRequest(request, options) {
      const core = this.#live();
      this.#requests ??= new Verifier({ ...this.#requestOptions, jwks: core.jwks() });
      let verifyOptions = options;
      if (this.#clock !== undefined) {
        const now = this.#now() / 1000;
        try {
          verifyOptions = { ...options, now };
        } catch {
          throw fail("ERR_INVALID_OPTIONS", "verify options must be a plain, JSON-compatible object");
        }
      }
      const claims = await this.#requests.verifyRequest(request, verifyOptions);
      await core.checkLive(JSON.stringify(claims), this.#now());
      return claims;
    }

    /** The HTTP response for an error from `verify` or a `Verifier` (401 `invalid_token` with
     * `WWW-Authenticate`, a DPoP challenge and `DPoP-Nonce` for DPoP requests, 403
     * `insufficient_scope`, 503 …; 500 for an error that is not Tessera's): `errorResponse`. */
    static errorResponse(error) {
      return errorResponse(error);
    }

    free() {
      this.#core?.free();
      this.#core = undefined;
      this.#requests?.free();
      this.#requests = undefined;
    }
  }

  return { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError };
}
