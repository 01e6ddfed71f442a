// The same browser scenarios as demo.test.mjs against the Node server (www/node-server.mjs):
// the Authority mounted with tessera/node-http in a plain Node HTTP server, on a RedisStore
// backed by a real redis-server. The TokenSession in the page is unchanged.
import { demoNodeServer } from "../../www/node-server.mjs";
import { demoSuite } from "./demo-scenarios.mjs";
import { redisServer } from "./redis-server.mjs";

demoSuite("demo on Node + Redis", async ({ port, accessTtl }) => {
  const redis = await redisServer();
  const demo = await demoNodeServer({ port, accessTtl, redisUrl: redis.url });
  return async () => {
    await demo.close();
    await redis.close();
  };
});
