// The embedded MemoryStore, and custom stores as the authority core calls them (JSON text in and
// out; user code never runs under a WebAssembly frame).

import { fail, freed, json, parse } from "./errors.js";

export function isObject(value) {
  return typeof value === "object" && value !== null;
}

/** `MemoryStore` and `storeAdapter` over an instantiated authority core module. */
export function storeApi(wasm) {
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

  return { MemoryStore, storeAdapter };
}
