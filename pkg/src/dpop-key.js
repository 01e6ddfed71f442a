// The browser's DPoP key (RFC 9449) for TokenSession's `dpop: true`: an ECDSA P-256 key pair made
// by WebCrypto with a non-extractable private key, kept in IndexedDB as a `CryptoKey` (a reload
// keeps the binding; every tab of the origin reads the same record), and the proofs it signs.
// The core decides which key a token needs, which nonce goes where and what answers mean; this
// file only stores, loads and signs.

const DB = "tessera-dpop";
const STORE = "keys";
const encoder = new TextEncoder();

const b64 = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const b64json = (value) => b64(encoder.encode(JSON.stringify(value)));
const sha256 = (text) => crypto.subtle.digest("SHA-256", encoder.encode(text));

/** One IndexedDB request on the key store (`act(store)`), resolved when its transaction is done;
 * the database is closed again at once (an open connection would block `deleteDatabase`). */
function keyStore(mode, act) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error("blocked"));
    open.onsuccess = () => {
      const db = open.result;
      try {
        const tx = db.transaction(STORE, mode);
        const request = act(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          reject(tx.error);
        };
      } catch (error) {
        db.close();
        reject(error);
      }
    };
  });
}

/** A record as stored, if it is one this file wrote: `{ privateKey, jwk, jkt }`. */
function usable(record) {
  return record?.privateKey instanceof CryptoKey && typeof record.jkt === "string" && typeof record.jwk?.x === "string" ? record : null;
}

/** The stored key of `name` (`null`: none, or no IndexedDB); with `create`, one is made and
 * stored when there is none (callers hold the session's Web Lock, so tabs never race). */
export async function loadKey(name, create) {
  try {
    const found = usable(await keyStore("readonly", (store) => store.get(name)));
    if (found || !create) return found;
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const key = { privateKey: pair.privateKey, jwk: { crv, kty, x, y }, jkt: b64(await sha256(JSON.stringify({ crv, kty, x, y }))) };
    await keyStore("readwrite", (store) => store.put(key, name));
    return key;
  } catch {
    return null;
  }
}

/** Forgets the stored key of `name` (logout: the next login makes a new one). */
export function dropKey(name) {
  return keyStore("readwrite", (store) => store.delete(name)).catch(() => {});
}

let athOf = ["", ""];

/** A DPoP proof by `key` for `htm` `url` (query and fragment dropped), at `iat` (Unix seconds),
 * with `nonce` and, for a resource request, `ath` of `token` when given. */
export async function proof(key, htm, url, iat, nonce, token) {
  const htu = new URL(url, globalThis.location?.href);
  htu.search = htu.hash = "";
  const claims = { jti: b64(crypto.getRandomValues(new Uint8Array(16))), htm, htu: htu.href, iat };
  if (nonce !== undefined) claims.nonce = nonce;
  if (token !== undefined) {
    if (athOf[0] !== token) athOf = [token, b64(await sha256(token))];
    claims.ath = athOf[1];
  }
  const input = `${b64json({ typ: "dpop+jwt", alg: "ES256", jwk: key.jwk })}.${b64json(claims)}`;
  return `${input}.${b64(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, encoder.encode(input)))}`;
}
