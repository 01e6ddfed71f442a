// ES256 signing by the runtime where that measured faster than signing in wasm (per signature,
// this repository's build, 2-core machine), else `null` and the caller signs in Rust:
// * Node: `node:crypto` (synchronous OpenSSL), installed by the package's Node entries through
//   `setNativeSigner`: ≈ 0.03 ms against 0.11 ms in wasm (Node's async WebCrypto: 0.15 ms).
// * workerd and browsers: WebCrypto (`crypto.subtle.sign`), the key imported once,
//   non-extractable: workerd 0.02–0.04 ms against 0.16 ms; Chromium 0.05 ms against 0.12 ms.
// * Deno: none (its WebCrypto measured 0.41 ms).
// Any failure (no `crypto.subtle`, as in an insecure browser context; an import or sign error; a
// result that is not 64 bytes; a first signature that does not verify against the public key)
// makes that signer sign in Rust from then on. The runtimes pick the nonces: OpenSSL and
// BoringSSL hedge them (private key, message and fresh randomness).

let native = null;

/** Installs a synchronous native signer: `{ importKey(jwk) → key, sign(key, bytes) → 64 bytes }`
 * (the Node entries pass `node:crypto`); `null` removes it. Signers made afterwards use it. */
export function setNativeSigner(signer) {
  native = signer && typeof signer.importKey === "function" && typeof signer.sign === "function" ? signer : null;
}

function prefersWebCrypto() {
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return true;
  return globalThis.process?.versions?.node === undefined && globalThis.Deno === undefined;
}

const encoder = new TextEncoder();

/**
 * A signer for the private JWK members `{ x, y, d }` (already checked by the core). `verifies(input,
 * signature)` checks the first signature against the public key. `sign` and `signSync` return the
 * raw `r || s` signature, or `null`: sign in Rust.
 */
export function runtimeSigner({ x, y, d }, verifies) {
  const jwk = { kty: "EC", crv: "P-256", x, y, d };
  let state = "unavailable";
  let key = null;
  let checked = false;
  if (native) {
    try {
      key = native.importKey(jwk);
      state = "native";
    } catch {
      state = "unavailable";
    }
  } else if (prefersWebCrypto() && globalThis.crypto?.subtle) {
    state = "pending";
  }

  const checkedSignature = (input, signature) => {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return disable();
    if (!checked) {
      if (!verifies(input, signature)) return disable();
      checked = true;
    }
    return signature;
  };
  const disable = () => {
    state = "unavailable";
    key = null;
    return null;
  };

  const signSync = (input) => {
    if (state !== "native") return null;
    try {
      return checkedSignature(input, new Uint8Array(native.sign(key, encoder.encode(input))));
    } catch {
      return disable();
    }
  };

  let importing = null;
  const sign = async (input) => {
    if (state === "native") return signSync(input);
    if (state === "pending") {
      importing ??= crypto.subtle
        .importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])
        .then((imported) => {
          key = imported;
          state = "ready";
        }, disable);
      await importing;
    }
    if (state !== "ready") return null;
    try {
      const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, encoder.encode(input));
      return state === "ready" ? checkedSignature(input, new Uint8Array(signature)) : null;
    } catch {
      return disable();
    }
  };

  return { sign, signSync };
}
