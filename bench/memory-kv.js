// An in-isolate stand-in for a Workers KV namespace binding, so that workers-oauth-provider can run
// on a store as close to the request as Tessera's MemoryStore (bench/README.md, "in-isolate KV").
//
// It implements the part of the KV binding API that @cloudflare/workers-oauth-provider calls
// (checked in its dist/oauth-provider.js, 1.2.3): get(key, "text" | "json" | { type }),
// put(key, string, { expiration, expirationTtl, metadata }), delete(key) and
// list({ prefix, limit, cursor }) with key metadata. Semantics follow KV where the library can tell:
// values are stored as strings and every get("json") parses a fresh copy; expired keys read as null
// and are left out of list(); list() is sorted by key, at most 1000 keys a page, with an opaque
// cursor while list_complete is false. Not modelled, because nothing here depends on it: eventual
// consistency between locations (there is one isolate) and KV's per-key write rate limit.
const MIN_EXPIRATION_TTL = 60; // seconds; KV rejects shorter expirations
const MAX_LIST_LIMIT = 1000;

const nowSeconds = () => Date.now() / 1000;

export class MemoryKV {
  #entries = new Map(); // key → { value: string, expiration?: number (epoch seconds), metadata? }

  #live(key) {
    const entry = this.#entries.get(key);
    if (entry?.expiration !== undefined && entry.expiration <= nowSeconds()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key, options) {
    const type = (typeof options === "string" ? options : options?.type) ?? "text";
    const entry = this.#live(key);
    if (!entry) return null;
    switch (type) {
      case "text":
        return entry.value;
      case "json":
        return JSON.parse(entry.value);
      default:
        throw new TypeError(`MemoryKV.get: type ${type} is not implemented`);
    }
  }

  async put(key, value, options = {}) {
    if (typeof value !== "string") throw new TypeError("MemoryKV.put: only string values are implemented");
    let expiration;
    if (options.expiration !== undefined) expiration = Number(options.expiration);
    else if (options.expirationTtl !== undefined) {
      if (options.expirationTtl < MIN_EXPIRATION_TTL) throw new RangeError(`MemoryKV.put: expirationTtl below ${MIN_EXPIRATION_TTL} s`);
      expiration = Math.floor(nowSeconds()) + Number(options.expirationTtl);
    }
    if (expiration !== undefined && expiration < nowSeconds() + MIN_EXPIRATION_TTL) {
      throw new RangeError(`MemoryKV.put: expiration less than ${MIN_EXPIRATION_TTL} s ahead`);
    }
    // KV stores metadata serialized; a copy keeps later changes to the caller's object out.
    const metadata = options.metadata === undefined ? undefined : JSON.parse(JSON.stringify(options.metadata));
    this.#entries.set(key, { value, expiration, metadata });
  }

  async delete(key) {
    this.#entries.delete(key);
  }

  async list({ prefix = "", limit = MAX_LIST_LIMIT, cursor } = {}) {
    const after = cursor === undefined ? undefined : decodeURIComponent(cursor);
    // JS string order equals KV's UTF-8 byte order for the ASCII keys the library writes.
    const names = [...this.#entries.keys()]
      .filter((name) => name.startsWith(prefix) && (after === undefined || name > after))
      .sort();
    const keys = [];
    let index = 0;
    for (; index < names.length && keys.length < Math.min(limit, MAX_LIST_LIMIT); index++) {
      const entry = this.#live(names[index]);
      if (!entry) continue;
      keys.push({
        name: names[index],
        ...(entry.expiration === undefined ? {} : { expiration: Math.floor(entry.expiration) }),
        ...(entry.metadata === undefined ? {} : { metadata: entry.metadata }),
      });
    }
    const complete = index >= names.length;
    return complete
      ? { keys, list_complete: true, cacheStatus: null }
      : { keys, list_complete: false, cursor: encodeURIComponent(keys.at(-1).name), cacheStatus: null };
  }
}
