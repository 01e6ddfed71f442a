// require("tessera-auth/authority") in Node (CommonJS; compiled, never run).
import { Authority, MemoryStore, generateKeyPair } from "tessera-auth/authority";

const authority = new Authority({
  issuer: "https://auth.example",
  audience: "https://api.example",
  signingKeys: [generateKeyPair().privateJwk],
  allowedOrigins: ["https://app.example"],
  store: new MemoryStore(),
});

async function handle(request: Request): Promise<Response> {
  return (await authority.handle(request)) ?? new Response("not found", { status: 404 });
}
handle(new Request("https://auth.example/"));

// @ts-expect-error a wrong option type: allowedOrigins is a list
new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [], allowedOrigins: "https://app.example" });
