// Signature checks performed by the runtime's crypto on the asynchronous paths (`verify`,
// `verifyRequest`), where that measured faster than the wasm build (2-core machine, 2048-bit RSA,
// ops/s of the whole verification, Rust's `verifySync` → the runtime's, 2026-12-05):
// * Node: node:crypto (synchronous OpenSSL), installed by the package's Node entries through
//   `setNativeVerifier`, for RS256…PS512, ES384, EdDSA/Ed25519 tokens and DPoP proofs
//   (RS256 8,200 → 20,000–24,000). ES256 tokens stay in Rust, whose per-key tables verify a hot
//   key as fast as OpenSSL.
// * workerd: WebCrypto (`crypto.subtle.verify`) for the same tokens and proofs (RS256 6,800 →
//   23,900; PS256 6,800 → 25,100; ES384 260 → 2,100; EdDSA 6,200 → 14,300).
// * Browsers: the same (Chromium: RS256 3,500 → 12,500; PS256 7,100 → 18,500; ES384 270 →
//   2,000; EdDSA 5,700 → 11,600).
// * Deno: WebCrypto for ES384, EdDSA/Ed25519 and DPoP proofs (its raw verify: ES384 540/s
//   against Rust's 160, Ed25519 10,100 against 3,200); RSA stays in Rust (its raw RS256 verify
//   5,800/s against Rust's whole verification at 6,800).
// The core chooses the key and the algorithm (from the key, never from the token's header
// alone), checks the signature's shape, and hands out the check under a ticket; this only
// performs it and answers a verdict. A key that cannot be imported, or a check that throws,
// answers "check it in the core" (Rust decides, so the result is the same, only slower), never
// "valid".

/** Verdicts, as `VerifierCore.settle` reads them. */
const VALID = 1;
const INVALID = 2;
const IN_CORE = 3;

/** The token algorithms the runtime's crypto checks (the proofs, ES256, in every runtime that
 * has one). */
const TOKEN_ALGORITHMS = "RS256 RS384 RS512 PS256 PS384 PS512 ES384 EdDSA Ed25519";
const DENO_ALGORITHMS = "ES384 EdDSA Ed25519";

let native = null;

/** Installs a synchronous native verifier: `{ importKey(jwk, alg) → key, verify(alg, key, input,
 * signature) → boolean }` (the Node entries pass node:crypto's, see `nodeVerifier`); `null`
 * removes it. Verifiers made afterwards use it. */
export function setNativeVerifier(verifier) {
  native = verifier && typeof verifier.importKey === "function" && typeof verifier.verify === "function" ? verifier : null;
}

const encoder = new TextEncoder();

/** node:crypto's verifier (`crypto()` returns the module, loaded on first use). */
export function nodeVerifier(crypto) {
  const params = (alg) => {
    const { RSA_PKCS1_PSS_PADDING } = crypto().constants;
    const bits = alg.slice(2);
    if (alg.startsWith("RS")) return [`sha${bits}`, {}];
    // RFC 7518 §3.5: the salt is as long as the hash (OpenSSL's default for verify accepts any).
    if (alg.startsWith("PS")) return [`sha${bits}`, { padding: RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 }];
    if (alg === "ES256" || alg === "ES384") return [`sha${bits}`, { dsaEncoding: "ieee-p1363" }];
    return [null, {}];
  };
  return {
    importKey(jwk, alg) {
      const [hash, options] = params(alg);
      return { hash, options: { key: crypto().createPublicKey({ key: jwk, format: "jwk" }), ...options } };
    },
    verify(alg, { hash, options }, input, signature) {
      return crypto().verify(hash, Buffer.from(input, "latin1"), options, signature);
    },
  };
}

/** WebCrypto's import and verify parameters of each algorithm. */
function webParams(alg) {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith("RS")) return [{ name: "RSASSA-PKCS1-v1_5", hash }, { name: "RSASSA-PKCS1-v1_5" }];
  if (alg.startsWith("PS")) return [{ name: "RSA-PSS", hash }, { name: "RSA-PSS", saltLength: Number(alg.slice(2)) / 8 }];
  if (alg === "ES256" || alg === "ES384") return [{ name: "ECDSA", namedCurve: `P-${alg.slice(2)}` }, { name: "ECDSA", hash }];
  return [{ name: "Ed25519" }, { name: "Ed25519" }];
}

function isWorkerd() {
  return globalThis.navigator?.userAgent === "Cloudflare-Workers";
}

/** Imported keys (public: nothing secret) by algorithm and JWK text, the most recently used
 * kept; `null` for a key the runtime could not import. A DPoP client signs every request with
 * its key, and importing costs as much as verifying. Keys, never promises, are kept: in workerd
 * a promise made by one request must not be awaited by another. */
const KEYS = 256;

function keyCache() {
  const keys = new Map();
  return {
    get(id) {
      const key = keys.get(id);
      if (key !== undefined) {
        keys.delete(id);
        keys.set(id, key);
      }
      return key;
    },
    set(id, key) {
      if (keys.size >= KEYS) keys.delete(keys.keys().next().value);
      keys.set(id, key);
    },
  };
}

const nativeKeys = new WeakMap();
const webKeys = keyCache();

async function webKey(alg, text) {
  const id = `${alg} ${text}`;
  let key = webKeys.get(id);
  if (key === undefined) {
    key = await globalThis.crypto.subtle.importKey("jwk", JSON.parse(text), webParams(alg)[0], false, ["verify"]).catch(() => null);
    webKeys.set(id, key);
  }
  return key;
}

/**
 * Who checks the signatures a Verifier's core hands out, chosen when the Verifier is made:
 * `{ algorithms, proofs, check(core) }` — the token algorithms for `setRuntimeAlgorithms`,
 * whether DPoP proofs are handed out, and `check`, which reads the core's check at once and
 * returns its verdict (a number, or a promise of one with WebCrypto).
 */
export function signatureChecker() {
  if (native) {
    const verifier = native;
    let cache = nativeKeys.get(verifier);
    if (!cache) {
      cache = keyCache();
      nativeKeys.set(verifier, cache);
    }
    const check = (core) => {
      const alg = core.signatureAlg;
      const text = core.signatureKey;
      const id = `${alg} ${text}`;
      let key = cache.get(id);
      if (key === undefined) {
        try {
          key = verifier.importKey(JSON.parse(text), alg);
        } catch {
          key = null;
        }
        cache.set(id, key);
      }
      if (key === null) return IN_CORE;
      try {
        return verifier.verify(alg, key, core.signatureInput, core.signatureBytes) === true ? VALID : INVALID;
      } catch {
        return IN_CORE;
      }
    };
    return { algorithms: TOKEN_ALGORITHMS, proofs: true, check };
  }
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return { algorithms: "", proofs: false, check: null };
  const check = async (core) => {
    // Read at once: another verification may hand out its own check meanwhile.
    const [alg, text, input, signature] = [core.signatureAlg, core.signatureKey, core.signatureInput, core.signatureBytes];
    try {
      const key = await webKey(alg, text);
      if (key === null) return IN_CORE;
      return (await subtle.verify(webParams(alg)[1], key, signature, encoder.encode(input))) ? VALID : INVALID;
    } catch {
      return IN_CORE;
    }
  };
  const deno = globalThis.Deno !== undefined;
  const browser = globalThis.process?.versions?.node === undefined && !deno;
  // Node without node:crypto's verifier (a test, or the web entry in Node): proofs only.
  const algorithms = isWorkerd() || browser ? TOKEN_ALGORITHMS : deno ? DENO_ALGORITHMS : "";
  return { algorithms, proofs: true, check };
}
