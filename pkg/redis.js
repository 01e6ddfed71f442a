// The Redis session store for Node (tessera/redis): the store contract of STORE.md on a Redis
// server, shared by every process that points at it.
//
// Each record is a hash `{ g: generation, r: record JSON }` under `<prefix><key>`, with a Redis
// TTL. `put` is one Lua script, so the compare of the generation and the write are atomic on the
// server: two processes refreshing one session at once cannot both win.
import { createHash } from "node:crypto";
import { TesseraError } from "./src/errors.js";

export { TesseraError };

const PUT_SCRIPT = `-- tessera put: compare-and-set on the record's generation
-- KEYS[1] record key; ARGV[1] expected generation ("" = no live record may exist);
-- ARGV[2] new generation; ARGV[3] record JSON; ARGV[4] TTL in milliseconds
local current = redis.call('HGET', KEYS[1], 'g')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'g', ARGV[2], 'r', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;
const PUT_SHA = createHash("sha1").update(PUT_SCRIPT).digest("hex");

function invalid(message, claim) {
  return new TesseraError("ERR_INVALID_OPTIONS", message, claim);
}

/**
 * Returns `(args) => Promise<reply>` for a node-redis (v4+) or ioredis client, refusing a client
 * whose offline queue is on: a command queued while Redis is unreachable would run when it comes
 * back — after the authority already answered 503 — and rotate a session that no browser received.
 */
function commander(client) {
  if (client && typeof client.call === "function" && client.options && typeof client.options === "object") {
    if (client.options.enableOfflineQueue !== false) {
      throw invalid("RedisStore: create the ioredis client with { enableOfflineQueue: false } (see the README)", "client");
    }
    return (args) => client.call(...args);
  }
  if (client && typeof client.sendCommand === "function") {
    if (client.options?.disableOfflineQueue !== true) {
      throw invalid("RedisStore: create the node-redis client with { disableOfflineQueue: true } (see the README)", "client");
    }
    return (args) => client.sendCommand(args);
  }
  throw invalid("RedisStore needs a connected node-redis or ioredis client", "client");
}

function storeError(message, cause) {
  const error = new TesseraError("ERR_STORE_UNAVAILABLE", `RedisStore: ${message}`);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** The store contract on Redis: `new RedisStore(client, { prefix, timeoutMs })`. */
export class RedisStore {
  #command;
  #prefix;
  #timeoutMs;

  constructor(client, { prefix = "tessera:", timeoutMs = 2000 } = {}) {
    if (typeof prefix !== "string" || prefix.length > 200) throw invalid("option prefix must be a string of at most 200 characters", "prefix");
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) {
      throw invalid("option timeoutMs must be an integer from 1 to 60000", "timeoutMs");
    }
    this.#command = commander(client);
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * One command, rejected after `timeoutMs`; every failure becomes ERR_STORE_UNAVAILABLE (the
   * authority then answers 503), the client's error kept as `cause`.
   */
  async #run(args, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(storeError(`no answer from Redis within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#command(args), timeout]);
    } catch (error) {
      throw error?.code === "ERR_STORE_UNAVAILABLE" ? error : storeError(`${what} failed`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(key) {
    const json = await this.#run(["HGET", this.#prefix + key, "r"], "get");
    if (json === null || json === undefined) return null;
    try {
      return JSON.parse(String(json));
    } catch (error) {
      throw storeError("a stored record is not JSON", error);
    }
  }

  async put(key, record, expectedGeneration, ttlSeconds) {
    const generation = record?.generation;
    if (!Number.isSafeInteger(generation) || !(expectedGeneration === null || Number.isSafeInteger(expectedGeneration))) {
      throw storeError("generations must be integers");
    }
    const ttlMs = String(Math.max(1, Math.ceil(Number(ttlSeconds) || 0)) * 1000);
    const args = [this.#prefix + key, expectedGeneration === null ? "" : String(expectedGeneration), String(generation), JSON.stringify(record), ttlMs];
    let reply;
    try {
      reply = await this.#run(["EVALSHA", PUT_SHA, "1", ...args], "put");
    } catch (error) {
      // Not loaded (after SCRIPT FLUSH or a restart): EVAL runs it and loads it for next time.
      if (!/^NOSCRIPT/.test(error.cause?.message ?? "")) throw error;
      reply = await this.#run(["EVAL", PUT_SCRIPT, "1", ...args], "put");
    }
    return Number(reply) === 1;
  }
}
