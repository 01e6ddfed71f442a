// The Durable Object session store for Cloudflare Workers (workerd).
//
// Each key (a session family, or a subject's epoch) lives in its own Durable Object, so the
// store scales out while every compare-and-set stays strongly consistent: a Durable Object
// runs one event at a time, and its input gate holds other events while it awaits its own
// storage, so the read and the conditional write in put() cannot interleave with another put.
// Workers KV must not hold this state: it is eventually consistent (writes take up to a minute
// to show everywhere), so two refreshes could both see the old generation and both win.
import { DurableObject } from "cloudflare:workers";
import { TesseraError } from "./src/errors.js";

export { TesseraError };

/** The Durable Object class: export it from your worker and bind it (e.g. as SESSIONS). */
export class TesseraStoreObject extends DurableObject {
  async get(key) {
    const entry = await this.ctx.storage.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.record : null;
  }

  async put(key, record, expected, ttlSeconds) {
    const entry = await this.ctx.storage.get(key);
    const live = entry && entry.expiresAt > Date.now() ? entry : null;
    const matches = expected === null ? live === null : live !== null && live.record.generation === expected;
    if (!matches) return false;
    const expiresAt = Date.now() + Math.max(1, ttlSeconds) * 1000;
    await this.ctx.storage.put(key, { record, expiresAt });
    await this.ctx.storage.setAlarm(expiresAt);
    return true;
  }

  // Expired records are deleted by an alarm at their expiry (reads ignore them before that).
  async alarm() {
    const entries = await this.ctx.storage.list();
    let next = Infinity;
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= Date.now()) await this.ctx.storage.delete(key);
      else next = Math.min(next, entry.expiresAt);
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
  }
}

/** The store contract on a Durable Object namespace binding: `new DurableObjectStore(env.SESSIONS)`. */
export class DurableObjectStore {
  constructor(namespace) {
    if (!namespace || typeof namespace.idFromName !== "function") {
      throw new TesseraError("ERR_INVALID_OPTIONS", "DurableObjectStore needs a Durable Object namespace binding", "namespace");
    }
    this.namespace = namespace;
  }

  #stub(key) {
    return this.namespace.get(this.namespace.idFromName(key));
  }

  get(key) {
    return this.#stub(key).get(key);
  }

  put(key, record, expected, ttlSeconds) {
    return this.#stub(key).put(key, record, expected, ttlSeconds);
  }
}
