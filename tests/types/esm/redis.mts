// tessera-auth/redis with both clients it supports (compiled, never run).
import { createClient } from "redis";
import { Redis } from "ioredis";
import { RedisStore, TesseraError } from "tessera-auth/redis";
import type { SessionStore } from "tessera-auth/redis";

const nodeRedis = createClient({ url: "redis://127.0.0.1:6379", disableOfflineQueue: true });
const ioredis = new Redis("redis://127.0.0.1:6379", { enableOfflineQueue: false });
const one: SessionStore = new RedisStore(nodeRedis);
const two: SessionStore = new RedisStore(ioredis, { prefix: "app:", timeoutMs: 2000 });

export async function read(): Promise<number | undefined> {
  try {
    return (await one.get("subject:user-1"))?.generation ?? (await two.get("family:x"))?.generation;
  } catch (error) {
    if (error instanceof TesseraError && error.code === "ERR_STORE_UNAVAILABLE") return undefined;
    throw error;
  }
}

// @ts-expect-error a misspelled option
new RedisStore(ioredis, { prefx: "app:" });
// @ts-expect-error a wrong option type: timeoutMs is a number of milliseconds
new RedisStore(ioredis, { timeoutMs: "2s" });
// @ts-expect-error not a Redis client
new RedisStore("redis://127.0.0.1:6379");
