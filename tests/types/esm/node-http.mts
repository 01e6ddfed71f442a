// tessera-auth/node-http with the Authority (compiled, never run).
import { createServer } from "node:http";
import { Authority, generateKeyPair } from "tessera-auth/authority";
import { toNodeListener, TesseraError } from "tessera-auth/node-http";

const authority = new Authority({
  issuer: "https://auth.example",
  audience: "https://api.example",
  allowedOrigins: ["https://app.example"],
  signingKeys: [generateKeyPair().privateJwk],
});

const listener = toNodeListener(
  async (request) => {
    if (new URL(request.url).pathname === "/auth/login") return authority.login(request, { sub: "user-1" });
    return authority.handle(request);
  },
  { baseUrl: "https://auth.example", maxBodyBytes: 1 << 20, onError: (error) => console.error(error instanceof TesseraError ? error.code : error) },
);
createServer(listener).listen(3000, "127.0.0.1");

// @ts-expect-error a misspelled option
toNodeListener(() => null, { maxBodySize: 1024 });
// @ts-expect-error a wrong option type: maxBodyBytes is a number of bytes
toNodeListener(() => null, { maxBodyBytes: "1mb" });
// @ts-expect-error the handler returns a Response
toNodeListener(() => "ok");
