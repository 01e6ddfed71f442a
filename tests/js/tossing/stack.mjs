// The cookie-tossing stage (issue 12, finding 7): one HTTPS server on 127.0.0.1 that answers for
// two host names, told apart by the Host header:
//   https://app.example:<port>       the app, with the Tessera Authority under /auth
//   https://evil.app.example:<port>  a sibling subdomain under the attacker's control
// Chromium reaches both through --host-resolver-rules and trusts the self-signed certificate
// through --ignore-certificate-errors-spki-list, so both origins are real, error-free https
// origins with real cookie semantics (Secure, Domain, __Host-). Cookies ignore ports.
import { createServer } from "node:https";
import { once } from "node:events";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate, createHash } from "node:crypto";
import { Authority, generateKeyPair } from "tessera-auth";
import { toNodeListener } from "tessera-auth/node-http";

export const APP_HOST = "app.example";
export const EVIL_HOST = "evil.app.example";
const ISSUER = "https://app.example/auth";
const AUDIENCE = "https://api.app.example";

/** A self-signed P-256 certificate for both names, made with the openssl CLI in a temp dir. */
function certificate() {
  const dir = mkdtempSync(join(tmpdir(), "tessera-tossing-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
      "-subj", `/CN=${APP_HOST}`, "-addext", `subjectAltName=DNS:${APP_HOST},DNS:${EVIL_HOST}`,
    ], { stdio: "pipe" });
    const key = readFileSync(join(dir, "key.pem"));
    const cert = readFileSync(join(dir, "cert.pem"));
    // Chromium's --ignore-certificate-errors-spki-list takes base64(SHA-256(SubjectPublicKeyInfo)).
    const spki = new X509Certificate(cert).publicKey.export({ type: "spki", format: "der" });
    return { key, cert, spkiHash: createHash("sha256").update(spki).digest("base64") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const page = (title, script = "") =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body>${title}<script>${script}</script>`;

/**
 * Starts the server. `use(cookieOptions)` installs a fresh Authority (and forgets the log);
 * `toss` holds what the evil page sends: `headers` (Set-Cookie lines) and `script` (strings the
 * page assigns to document.cookie). `refreshes` logs every POST /auth/refresh the app received:
 * the Cookie header the browser sent and the status the authority answered.
 */
export async function startStage() {
  const { key, cert, spkiHash } = certificate();
  const { privateJwk } = generateKeyPair({ kid: "tossing" });
  const state = { authority: null, origin: null, refreshes: [], toss: { headers: [], script: [] } };

  const app = async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/") return new Response(page("app"), { headers: { "content-type": "text/html" } });
    if (url.pathname === "/auth/login" && request.method === "POST") {
      // The app has checked the credentials (here: none, the body names the user).
      const { sub } = await request.clone().json();
      return state.authority.login(request, { sub });
    }
    if (url.pathname === "/auth/refresh") {
      const entry = { cookie: request.headers.get("cookie"), status: null };
      state.refreshes.push(entry);
      const response = await state.authority.handle(request);
      entry.status = response.status;
      return response;
    }
    return state.authority.handle(request);
  };

  const evil = (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/") return null;
    const headers = new Headers({ "content-type": "text/html", "cache-control": "no-store" });
    for (const line of state.toss.headers) headers.append("set-cookie", line);
    // document.cookie cannot make HttpOnly cookies, but a script is the other way a sibling sets
    // cookies; the page records what it tried and what it can read back.
    const script = `window.tried = ${JSON.stringify(state.toss.script)};
      for (const line of window.tried) document.cookie = line;
      window.visible = document.cookie;`;
    return new Response(page("evil", script), { headers });
  };

  const listener = toNodeListener(async (request) => {
    const host = new URL(request.url).hostname;
    if (host === APP_HOST) return app(request);
    if (host === EVIL_HOST) return evil(request);
    return new Response("unknown host", { status: 421 });
  }, { onError: (error) => console.error("stage handler error:", error) });

  const server = createServer({ key, cert }, listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = server.address().port;
  state.origin = `https://${APP_HOST}:${port}`;

  return {
    port,
    spkiHash,
    appOrigin: state.origin,
    evilOrigin: `https://${EVIL_HOST}:${port}`,
    get authority() {
      return state.authority;
    },
    get refreshes() {
      return state.refreshes;
    },
    toss: state.toss,
    /** A fresh Authority (fresh MemoryStore) with the given `cookie` options. */
    use(cookie) {
      state.authority?.free();
      state.refreshes = [];
      state.toss.headers = [];
      state.toss.script = [];
      state.authority = new Authority({
        issuer: ISSUER, audience: AUDIENCE, signingKeys: [privateJwk], allowedOrigins: [state.origin],
        ...(cookie ? { cookie } : {}),
      });
      return state.authority;
    },
    /**
     * The attacker's own, perfectly valid refresh token: he signs in as himself (here directly
     * against the authority, as any user of the app could) and keeps the cookie value.
     * Returns `{ name, value }` of the refresh cookie the authority set.
     */
    async attackerToken(sub = "mallory") {
      const request = new Request(`${state.origin}/auth/login`, {
        method: "POST", headers: { origin: state.origin, "tessera-request": "1" },
      });
      const response = await state.authority.login(request, { sub });
      if (response.status !== 200) throw new Error(`attacker login: ${response.status}`);
      const [pair] = response.headers.get("set-cookie").split(";");
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1) };
    },
    close: () =>
      new Promise((resolve) => {
        state.authority?.free();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
