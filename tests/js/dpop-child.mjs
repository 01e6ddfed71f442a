// One verifyRequest in its own process (spawned by dpop.test.mjs), seen proofs in Redis: prints
// "ok <sub>" or the error code.
import { createClient } from "redis";
import { Verifier } from "tessera-auth/verify";
import { RedisStore } from "tessera-auth/redis";

const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
client.on("error", () => {});
await client.connect();
const verifier = new Verifier({
  jwks: JSON.parse(process.env.JWKS),
  issuer: process.env.ISSUER,
  audience: process.env.AUDIENCE,
  dpop: { replayStore: new RedisStore(client, { prefix: "dpop-test:" }) },
});
try {
  const claims = await verifier.verifyRequest({
    method: "GET",
    url: "https://api.example/orders",
    headers: { authorization: `DPoP ${process.env.TOKEN}`, dpop: process.env.PROOF },
  });
  console.log(`ok ${claims.sub}`);
} catch (error) {
  console.log(error.code ?? String(error));
} finally {
  await client.quit();
}
