// Fault injection for crypto.subtle, shared by the two WebCrypto tests that run outside Node:
// the Chromium page and the workerd worker (webcrypto-worker.js) of webcrypto.test.mjs.
// `mode`: "real" (count only), "reject" (sign rejects), "short" (63-byte signature), "wrong"
// (a flipped bit), "import-reject" (importKey rejects). `restore()` puts the originals back.
export function faultySubtle(mode) {
  const subtle = crypto.subtle;
  const { sign, importKey } = subtle;
  const calls = { sign: 0, importKey: 0 };
  subtle.sign = async (...args) => {
    calls.sign += 1;
    if (mode === "reject") throw new Error("no");
    const signature = await sign.apply(subtle, args);
    if (mode === "wrong") new Uint8Array(signature)[10] ^= 1;
    return mode === "short" ? signature.slice(0, 63) : signature;
  };
  subtle.importKey = async (...args) => {
    calls.importKey += 1;
    if (mode === "import-reject") throw new Error("no");
    return importKey.apply(subtle, args);
  };
  return {
    calls,
    restore() {
      subtle.sign = sign;
      subtle.importKey = importKey;
    },
  };
}
