// The authority role's public API over its WebAssembly core: `Authority`, `MemoryStore`,
// `Signer`, `generateKeyPair` (and the verify role's `Verifier`, `redact`, `errorResponse`).
// The glue reads requests (headers, and bodies within the core's size limit), wraps custom
// stores, loggers and clocks so that no user code ever runs under a WebAssembly frame, and picks
// who signs (the runtime where that is faster). The handshake's decisions are all the core's.

import { TesseraError, fail, freed, functionOption, json, parse } from "./errors.js";
import { readCapped } from "./fetch.js";
import { runtimeSigner } from "./runtime-signer.js";
import { codeOf, verifyApi } from "./verify.js";

/** The members of a private JWK the runtime signer imports, read from the options' JSON copy. */
function keyMembers(jwk) {
  return jwk && typeof jwk === "object" ? { x: jwk.x, y: jwk.y, d: jwk.d } : null;
}

function isObject(value) {
  return typeof value === "object" && value !== null;
}

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

  /** The embedded store, usable from JavaScript with the store contract's async methods. */
  class MemoryStore {
    #core = new wasm.MemoryStoreCore();

    /** @internal A handle on the same records, for an Authority. */
    static share(store) {
      if (store.#core === undefined) throw freed("MemoryStore");
      return store.#core.share();
    }

    static isMemoryStore(value) {
      return isObject(value) && #core in value;
    }

    #live() {
      if (this.#core === undefined) throw freed("MemoryStore");
      return this.#core;
    }

    /** `get(key)` → `Promise<record | null>`. */
    async get(key) {
      const text = this.#live().get(String(key), Date.now());
      return text === undefined ? null : parse(text);
    }

    /** `put(key, record, expectedGeneration | null, ttlSeconds)` → `Promise<boolean>`. */
    async put(key, record, expected, ttl) {
      if (!isObject(record)) throw fail("ERR_INVALID_OPTIONS", "MemoryStore put: the record must be a JSON object", "record");
      const expectedGeneration = typeof expected === "number" ? expected : undefined;
      return this.#live().put(String(key), json(record, "MemoryStore record", "record"), expectedGeneration, Number(ttl), Date.now());
    }

    /** Records held (live, and expired ones not yet swept). */
    get size() {
      return this.#live().size;
    }

    free() {
      this.#core?.free();
      this.#core = undefined;
    }
  }

  /** A custom store as the core calls it: JSON text in and out, never throwing (rejections and
   * malformed records are `ERR_STORE_UNAVAILABLE`, a 503, in the core). */
  function storeAdapter(store) {
    let get, put;
    try {
      ({ get, put } = store);
    } catch {
      get = put = undefined;
    }
    if (typeof get !== "function" || typeof put !== "function") {
      throw fail("ERR_INVALID_OPTIONS", "option store must have async get(key) and put(key, record, expected, ttl) methods", "store");
    }
    return {
      get: async (key) => {
        const record = await get.call(store, key);
        return record === null || record === undefined ? null : json(record, "a stored record");
      },
      put: async (key, text, expected, ttl) => (await put.call(store, key, parse(text), expected, ttl)) === true,
    };
  }

  class Authority {
    #core;
    #clock;

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

    /** The HTTP response for an error from `verify` (401 `invalid_token` with
     * `WWW-Authenticate`, 403 `insufficient_scope`, 503 …; 500 for an error that is not Tessera's). */
    static errorResponse(error) {
      return wasm.AuthorityCore.errorResponse(codeOf(error));
    }

    free() {
      this.#core?.free();
      this.#core = undefined;
    }
  }

  class Signer {
    #core;
    #runtime;

    /** `new Signer({ privateJwk, issuer, audience })`. */
    constructor(options) {
      if (!isObject(options)) throw fail("ERR_INVALID_OPTIONS", "Signer options are required");
      const text = json(options, "Signer options");
      const core = new wasm.SignerCore(text);
      this.#core = core;
      const key = keyMembers(parse(text).privateJwk);
      this.#runtime = runtimeSigner(key, (input, signature) => core.verifies(input, signature));
    }

    #live() {
      if (this.#core === undefined) throw freed("Signer");
      return this.#core;
    }

    #input(claims, options) {
      const core = this.#live();
      if (!isObject(claims) || Array.isArray(claims)) throw fail("ERR_INVALID_OPTIONS", "claims must be an object", "claims");
      return core.signingInput(json(claims, "claims", "claims"), json(options, "sign options"), Date.now());
    }

    /** Signs `claims` → `Promise<token>` (by the runtime's crypto where faster, else in Rust). */
    async sign(claims, options) {
      const input = this.#input(claims, options);
      const signature = (await this.#runtime.sign(input)) ?? this.#live().signInput(input);
      return wasm.SignerCore.finish(input, signature);
    }

    /** The same as `sign`, synchronously. */
    signSync(claims, options) {
      const input = this.#input(claims, options);
      const signature = this.#runtime.signSync(input) ?? this.#live().signInput(input);
      return wasm.SignerCore.finish(input, signature);
    }

    /** The `kid` in every token header. */
    get kid() {
      return this.#live().kid;
    }

    /** The public JWK of the signing key. */
    publicJwk() {
      return this.#live().publicJwk();
    }

    free() {
      this.#core?.free();
      this.#core = undefined;
    }
  }

  /** A new ES256 key pair → `{ privateJwk, publicJwk }`. */
  function generateKeyPair(options) {
    return wasm.generateKeyPair(json(options, "generateKeyPair options"));
  }

  return { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError };
}
