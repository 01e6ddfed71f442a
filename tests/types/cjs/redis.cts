// require("tessera-auth/redis") in Node (CommonJS; compiled, never run).
import { createClient } from "redis";
import { RedisStore } from "tessera-auth/redis";
import { Authority, generateKeyPair } from "tessera-auth";

const redis = createClient({ url: "redis://127.0.0.1:6379", disableOfflineQueue: true });
const authority = new Authority({
  issuer: "https://auth.example",
  audience: "https://api.example",
  signingKeys: [generateKeyPair().privateJwk],
  allowedOrigins: ["https://app.example"],
  refreshSecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",
  store: new RedisStore(redis, { prefix: "tessera:" }),
});
console.log(authority);

// @ts-expect-error a misspelled option
new RedisStore(redis, { timeout: 2000 });
