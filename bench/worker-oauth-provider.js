// Bench worker: @cloudflare/workers-oauth-provider as the authorization server, for its refresh
// grant (POST /oauth/token, grant_type=refresh_token). The STORE var picks its OAUTH_KV:
// "memory" (default): a MemoryKV (./memory-kv.js) in this isolate's global scope;
// "kv": the OAUTH_KV binding (Miniflare's local KV namespace).
// RESOURCE: the protected resource, `http://127.0.0.1:<port>/api/`.
// Routes besides the library's own: GET /authorize (the application's authorization endpoint:
// here every user is signed in and consents at once) and POST /bench/client (registers the
// bench's public client with the library's createClient helper). The API route /api/ answers
// with the grant's props, so the bench can check that a rotated session's access token works.
import { OAuthProvider } from "../node_modules/@cloudflare/workers-oauth-provider/dist/oauth-provider.js";
import { MemoryKV } from "./memory-kv.js";

const memoryKv = new MemoryKV(); // one per isolate, like Tessera's MemoryStore
let memoryEnv;

function storeEnv(env) {
  switch (env.STORE ?? "memory") {
    case "memory":
      // The library sets env.OAUTH_PROVIDER on the env it is given; this one is kept per isolate.
      memoryEnv ??= { ...env, OAUTH_KV: memoryKv };
      return memoryEnv;
    case "kv":
      return env;
    default:
      throw new Error(`unknown STORE ${env.STORE}`);
  }
}

const application = {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/authorize" && request.method === "GET") {
      const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
      const userId = url.searchParams.get("bench_user") ?? "nobody";
      const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
        request: authRequest,
        userId,
        scope: authRequest.scope,
        metadata: {},
        props: { sub: userId },
      });
      return Response.redirect(redirectTo, 302);
    }
    if (url.pathname === "/bench/client" && request.method === "POST") {
      const { redirectUri } = await request.json();
      const client = await env.OAUTH_PROVIDER.createClient({
        redirectUris: [redirectUri],
        clientName: "Tessera bench",
        tokenEndpointAuthMethod: "none", // a public client (PKCE), as browser and MCP clients are
      });
      return Response.json({ clientId: client.clientId });
    }
    return new Response("not found", { status: 404 });
  },
};

const api = {
  fetch(request, env, ctx) {
    return Response.json({ props: ctx.props });
  },
};

let provider; // created on the first request: the resource is this worker's own origin (RESOURCE)

export default {
  fetch(request, env, ctx) {
    provider ??= new OAuthProvider({
      apiRoute: "/api/",
      apiHandler: api,
      defaultHandler: application,
      authorizeEndpoint: "/authorize",
      tokenEndpoint: "/oauth/token",
      scopesSupported: ["read"],
      // Access tokens are bound to this resource and accepted only on requests to it.
      resourceMetadata: { resource: env.RESOURCE },
    });
    return provider.fetch(request, storeEnv(env), ctx);
  },
};
