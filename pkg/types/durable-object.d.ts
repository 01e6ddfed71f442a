// tessera-auth/durable-object: the session store on Durable Objects, for Cloudflare Workers
// (needs the Workers types: @cloudflare/workers-types or `wrangler types`).
import { DurableObject } from "cloudflare:workers";
import type { SessionStore, StoreRecord } from "./shared.cjs";

export { TesseraError } from "./shared.cjs";
export type { ErrorCode, SessionStore, StoreRecord } from "./shared.cjs";

/** The Durable Object class: export it from the worker and bind it (e.g. as `SESSIONS`). */
export declare class TesseraStoreObject extends DurableObject implements SessionStore {
  get(key: string): Promise<StoreRecord | null>;
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
  /** Deletes expired records. */
  alarm(): Promise<void>;
}

/** What `DurableObjectStore` needs of a Durable Object namespace binding (`env.SESSIONS`). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): unknown;
}

/** The store contract on a Durable Object namespace bound to `TesseraStoreObject`. */
export declare class DurableObjectStore implements SessionStore {
  /** @throws {TesseraError} `ERR_INVALID_OPTIONS` when `namespace` is not a namespace binding. */
  constructor(namespace: DurableObjectNamespaceLike);
  readonly namespace: DurableObjectNamespaceLike;
  get(key: string): Promise<StoreRecord | null>;
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
}
