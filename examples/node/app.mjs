// Node 20, ES modules (`node app.mjs`): the same as app.cjs with `import`.
import { createServer } from "node:http";
import { Authority, Signer, generateKeyPair } from "tessera-auth";
import { Verifier } from "tessera-auth/verify";
import { MemoryStore } from "tessera-auth/authority";
import { RedisStore } from "tessera-auth/redis"; // new RedisStore(redisClient) to share sessions
import { toNodeListener } from "tessera-auth/node-http";

const { privateJwk, publicJwk } = generateKeyPair();
const authority = new Authority({
  issuer: "https://auth.example", audience: "https://api.example", allowedOrigins: ["https://app.example"],
  signingKeys: [privateJwk], store: new MemoryStore(),
});
const server = createServer(toNodeListener((request) => authority.login(request, { sub: "user-1" })));

server.listen(0, "127.0.0.1", async () => {
  const login = await fetch(`http://127.0.0.1:${server.address().port}/auth/login`, {
    method: "POST", headers: { origin: "https://app.example", "tessera-request": "1" },
  });
  const { access_token } = await login.json();
  const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: "https://auth.example", audience: "https://api.example", profile: "at+jwt" });
  const own = new Signer({ privateJwk }).signSync({ sub: "user-2" });
  console.log(login.status, verifier.verifySync(access_token).sub, new Verifier({ jwks: { keys: [publicJwk] } }).verifySync(own).sub, typeof RedisStore);
  server.close();
});
