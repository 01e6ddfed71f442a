// tessera-auth/redis: the session store on Redis, for Node.
export * from "./redis.cjs";
