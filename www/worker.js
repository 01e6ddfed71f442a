// Tessera demo worker (Cloudflare Workers / workerd): issues short-lived ES256 access tokens
// for the demo user, publishes its JWK Set, and protects /api/* with a Verifier.
// The refresh-token handshake and the full browser session arrive with later issues.
import { Verifier, Signer, generateKeyPair } from "../pkg/workerd.js";
import page from "./index.html";

const ISSUER = "http://127.0.0.1:8787";
const AUDIENCE = "tessera-demo-api";
const TTL = 30; // seconds: short, so expiry is visible in the demo

// Keys are made on first use: workerd forbids random values at global scope.
let keys;
function state() {
  if (!keys) {
    const { privateJwk, publicJwk } = generateKeyPair();
    keys = {
      publicJwk,
      signer: new Signer({ privateJwk, issuer: ISSUER, audience: AUDIENCE }),
      verifier: new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, profile: "at+jwt" }),
    };
  }
  return keys;
}

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });

async function login(request) {
  const { username, password } = await request.json().catch(() => ({}));
  if (username !== "demo" || password !== "demo") return json({ error: "invalid_credentials" }, 401);
  const token = await state().signer.sign({ sub: "demo", client_id: "tessera-demo", scope: "read" }, { expiresIn: TTL });
  return json({ access_token: token, token_type: "Bearer", expires_in: TTL, scope: "read" });
}

async function api(request) {
  const [scheme, token] = (request.headers.get("authorization") ?? "").split(" ");
  if (scheme !== "Bearer" || !token) {
    return json({ error: "invalid_token" }, 401, { "www-authenticate": 'Bearer error="invalid_token"' });
  }
  try {
    const claims = await state().verifier.verify(token, { requiredScopes: ["read"] });
    return json({ message: `hello, ${claims.sub}`, claims });
  } catch (error) {
    const scope = error.code === "ERR_INSUFFICIENT_SCOPE";
    return json({ error: scope ? "insufficient_scope" : "invalid_token", code: error.code, claim: error.claim }, scope ? 403 : 401, {
      "www-authenticate": `Bearer error="${scope ? "insufficient_scope" : "invalid_token"}"`,
    });
  }
}

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    if (pathname === "/.well-known/jwks.json") return json({ keys: [state().publicJwk] });
    if (pathname === "/auth/login" && request.method === "POST") return login(request);
    if (pathname.startsWith("/api/")) return api(request);
    return json({ error: "not_found" }, 404);
  },
};
