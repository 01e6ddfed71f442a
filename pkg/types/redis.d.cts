// tessera-auth/redis: the session store on Redis, for Node (CommonJS types).
import type { SessionStore, StoreRecord } from "./shared.cjs";

export { TesseraError } from "./shared.cjs";
export type { ErrorCode, SessionStore, StoreRecord } from "./shared.cjs";

/** A node-redis (v4+) client, created with `disableOfflineQueue: true`. */
export interface NodeRedisClient {
  sendCommand(...args: never[]): unknown;
}

/** An ioredis client, created with `enableOfflineQueue: false`. */
export interface IORedisClient {
  call(...args: never[]): unknown;
  options: object;
}

/** `new RedisStore(client, options)`. */
export interface RedisStoreOptions {
  /** The start of every key (default `"tessera:"`, at most 200 characters). */
  prefix?: string;
  /**
   * Milliseconds one command may take (whole, 1 to 60000, default 2000): then the operation fails
   * with `ERR_STORE_UNAVAILABLE` and the authority answers 503.
   */
  timeoutMs?: number;
}

/** The store contract (STORE.md) on Redis, for every Node process sharing the server. */
export declare class RedisStore implements SessionStore {
  /**
   * `client`: a connected node-redis (v4+) client created with `disableOfflineQueue: true`, or an
   * ioredis client created with `enableOfflineQueue: false`; others are refused (`ERR_INVALID_OPTIONS`).
   */
  constructor(client: NodeRedisClient | IORedisClient, options?: RedisStoreOptions);
  get(key: string): Promise<StoreRecord | null>;
  put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean>;
}
