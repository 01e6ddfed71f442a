/** A session record as the Authority stores it (see STORE.md); `generation` is the compare-and-set version. */
export interface StoreRecord {
  generation: number;
  [member: string]: unknown;
}

/** The store contract (STORE.md) on Redis, for every Node process sharing the server. */
export declare class RedisStore {
  /**
   * `client`: a connected node-redis (v4+) client created with `disableOfflineQueue: true`, or an
   * ioredis client with `enableOfflineQueue: false` (others are refused with `ERR_INVALID_OPTIONS`).
   * `prefix` (default `"tessera:"`) starts every key; `timeoutMs` (default 2000, 1–60000) bounds each
   * command, after which the operation fails and the authority answers 503.
   */
  constructor(client: unknown, options?: { prefix?: string; timeoutMs?: number });
  get(key: string): Promise<StoreRecord | null>;
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
}
