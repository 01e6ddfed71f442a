// tessera-auth/authority, typed as a server uses it (compiled, never run).
import { Authority, MemoryStore, Signer, TesseraError, generateKeyPair } from "tessera-auth/authority";
import type { AuthorityOptions, SessionStore, StoreRecord, SessionClaims } from "tessera-auth/authority";

const { privateJwk, publicJwk } = generateKeyPair({ kid: "2026-11" });
const kid: string = publicJwk.kid;

/** A custom store implements the contract of STORE.md. */
class MapStore implements SessionStore {
  #records = new Map<string, { record: StoreRecord; expiresAt: number }>();
  async get(key: string): Promise<StoreRecord | null> {
    const entry = this.#records.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.record : null;
  }
  async put(key: string, record: StoreRecord, expectedGeneration: number | null, ttlSeconds: number): Promise<boolean> {
    const live = await this.get(key);
    if (expectedGeneration === null ? live !== null : live?.generation !== expectedGeneration) return false;
    this.#records.set(key, { record, expiresAt: Date.now() + ttlSeconds * 1000 });
    return true;
  }
}

const options: AuthorityOptions = {
  issuer: "https://auth.example",
  audience: "https://api.example",
  signingKeys: [privateJwk],
  accessTokenTtl: 300,
  sessionTtl: 14 * 86400,
  idleTtl: 3 * 86400,
  reuseGrace: 10,
  allowedOrigins: ["https://app.example"],
  cookie: { name: "tessera_rt", path: "/auth", hostPrefix: false },
  refreshSecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",
  maxSessionsPerSubject: 50,
  store: new MapStore(),
  clock: () => Date.now() / 1000,
  log: (line, level) => console.log(level === "warn" ? "!" : "-", line),
};
const authority = new Authority(options);
const withMemory = new Authority({ issuer: "https://auth.example", audience: ["a", "b"], signingKeys: [privateJwk], allowedOrigins: ["https://app.example"], store: new MemoryStore() });

export async function handle(request: Request): Promise<Response> {
  if (new URL(request.url).pathname === "/auth/login") {
    return authority.login(request, { sub: "user-1", scope: "read", claims: { tenant: "t1" } });
  }
  const routed: Response | null = await authority.handle(request);
  if (routed) return routed;
  try {
    const claims: SessionClaims = await authority.verify(request.headers.get("authorization") ?? "", { requiredScopes: ["read"] });
    const sid: string = claims.sid;
    const clientId: string = claims.client_id;
    await authority.revokeSubject(claims.sub);
    return Response.json({ sid, clientId, keys: authority.jwks().keys.map((key) => key.kid) });
  } catch (error) {
    if (error instanceof TesseraError && error.code === "ERR_REVOKED") console.log(error.claim);
    return Authority.errorResponse(error);
  }
}

export async function tokens(): Promise<string[]> {
  const signer = new Signer({ privateJwk, issuer: "https://auth.example", audience: "https://api.example" });
  const one = await signer.sign({ sub: "user-1", client_id: "web", scope: "read write" }, { expiresIn: 300, typ: "at+jwt" });
  const two = signer.signSync({ sub: "user-2", role: "admin" }, { now: 1_700_000_000 });
  const jwk = signer.publicJwk();
  signer.free();
  withMemory.free();
  return [one, two, jwk.x, kid, signer.kid];
}

// @ts-expect-error a misspelled option
new Authority({ issuer: "https://auth.example", audiance: "api", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"] });
// @ts-expect-error a wrong option type: accessTokenTtl is a number of seconds
new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: ["https://app.example"], accessTokenTtl: "5m" });
// @ts-expect-error login needs the subject
authority.login(new Request("https://auth.example/auth/login"), { scope: "read" });
// @ts-expect-error login claims may not set the authority's own claims
authority.login(new Request("https://auth.example/auth/login"), { sub: "u", claims: { sid: "x" } });
// @ts-expect-error the signer sets exp itself
new Signer({ privateJwk }).signSync({ sub: "u", exp: 1 });
// @ts-expect-error expiresIn is a number of seconds
new Signer({ privateJwk }).signSync({ sub: "u" }, { expiresIn: "5m" });
// @ts-expect-error allowedOrigins is required (login, refresh and logout check the Origin header)
new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk] });
