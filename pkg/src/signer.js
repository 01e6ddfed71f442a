// `Signer` and `generateKeyPair` over the authority core: the core builds and checks what is
// signed; the runtime's own crypto signs where that is faster (runtime-signer.js).

import { fail, freed, json, parse } from "./errors.js";
import { runtimeSigner } from "./runtime-signer.js";
import { isObject } from "./store.js";

/** The members of a private JWK the runtime signer imports, read from the options' JSON copy. */
export function keyMembers(jwk) {
  return jwk && typeof jwk === "object" ? { x: jwk.x, y: jwk.y, d: jwk.d } : null;
}

/** `Signer` and `generateKeyPair` over an instantiated authority core module. */
export function signerApi(wasm) {
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

  return { Signer, generateKeyPair };
}
