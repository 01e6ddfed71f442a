// One cold-start measurement in a fresh Node process (spawned by run.mjs; prints one JSON line).
// argv[2] is the mode; BENCH_COLD_INPUT (env) holds { token, token2, publicJwk, issuer, audience }.
// Every timer starts at `t0`, the first statement of this module: module loading counts, Node's own
// boot does not (it is reported as processStartToT0).
//
// Modes:
//   web:<role>      the role's web entry (pkg/<role>/web.js, what browsers and Deno load), run in Node:
//                   its glue's `fetch` of the .wasm answered from disk (below); the verify and
//                   authority modes then verify one token
//   import:verify   `import("tessera-auth/verify")` (Node entry) + new Verifier + verifySync
//   require:verify  `require("tessera-auth/verify")` (Node entry, CommonJS) + new Verifier + verifySync
//   import:root     `import("tessera-auth")` (the root: the authority build) + new Verifier + verifySync
//   jose            `import("jose")` + importJWK + jwtVerify
//   node-crypto     node:crypto createPublicKey + crypto.verify (the floor: signature only)
//
// WebAssembly.Module and WebAssembly.Instance are wrapped (a Proxy around each constructor; the
// objects made are the originals, `instanceof` still holds) to time compile and instantiate inside
// whichever glue runs them.
const t0 = performance.now();
const mode = process.argv[2];
const { token, token2, publicJwk, issuer, audience } = JSON.parse(process.env.BENCH_COLD_INPUT);
const out = { mode, processStartToT0: t0, compile: 0, instantiate: 0, wasmModules: 0 };

const timed = (target, key) =>
  new Proxy(target, {
    construct(target, args, newTarget) {
      const start = performance.now();
      const made = Reflect.construct(target, args, newTarget);
      out[key] += performance.now() - start;
      if (key === "compile") out.wasmModules += 1;
      return made;
    },
  });
WebAssembly.Module = timed(WebAssembly.Module, "compile");
WebAssembly.Instance = timed(WebAssembly.Instance, "instantiate");

const verifierOptions = { jwks: { keys: [publicJwk] }, issuer, audience, algorithms: ["ES256"] };
const check = (claims) => {
  if (claims.iss !== issuer || claims.aud !== audience) throw new Error("wrong claims");
};

if (mode.startsWith("web:")) {
  const role = mode.slice(4);
  // The web glue instantiates with `fetch(new URL("…_bg.wasm", import.meta.url))` and
  // `WebAssembly.instantiate`. In Node: `fetch` reads the file (timed as readBytes) and
  // `instantiate` compiles and instantiates synchronously through the wrapped constructors, so
  // compile and instantiate are timed apart (a browser would stream-compile during the download).
  // Request/Response are stubbed so that the glue's `instanceof Response` test does not load
  // undici (Node's fetch implementation, ~10 ms) into the measurement.
  const { readFileSync } = await import("node:fs");
  for (const name of ["Request", "Response"]) Object.defineProperty(globalThis, name, { value: class {}, configurable: true, writable: true });
  globalThis.fetch = async (url) => {
    const start = performance.now();
    const bytes = readFileSync(url);
    out.readBytes = performance.now() - start;
    return bytes;
  };
  WebAssembly.instantiateStreaming = undefined;
  // The session entry compiles the module itself (compileStreaming of the fetched file).
  WebAssembly.compileStreaming = async (source) => new WebAssembly.Module(await source);
  WebAssembly.instantiate = async (bytes, imports) => {
    const module = new WebAssembly.Module(bytes);
    return { module, instance: new WebAssembly.Instance(module, imports) };
  };
  const api = await import(`../pkg/${role}/web.js`);
  const t1 = performance.now();
  out.import = t1 - t0;
  if (role !== "session") {
    const verifier = new api.Verifier(verifierOptions);
    const t2 = performance.now();
    check(verifier.verifySync(token));
    const t3 = performance.now();
    check(verifier.verifySync(token2));
    Object.assign(out, { newVerifier: t2 - t1, verifyFirst: t3 - t2, firstVerify: t3 - t0, verifySecond: performance.now() - t3 });
  } else if (typeof api.TokenSession !== "function") throw new Error("no TokenSession");
} else if (mode === "import:verify" || mode === "import:root" || mode === "require:verify") {
  const specifier = mode === "import:root" ? "tessera-auth" : "tessera-auth/verify";
  let api;
  if (mode.startsWith("require:")) {
    const { createRequire } = await import("node:module");
    const t = performance.now();
    const require = createRequire(import.meta.url);
    out.createRequire = performance.now() - t;
    api = require(specifier);
  } else {
    api = await import(specifier);
  }
  const t1 = performance.now();
  const verifier = new api.Verifier(verifierOptions);
  const t2 = performance.now();
  const claims = verifier.verifySync(token);
  const t3 = performance.now();
  check(claims);
  // Context, after the measured first token: a second, different token on the same Verifier.
  check(verifier.verifySync(token2));
  const t4 = performance.now();
  Object.assign(out, { import: t1 - t0, newVerifier: t2 - t1, verifyFirst: t3 - t2, firstVerify: t3 - t0, verifySecond: t4 - t3 });
} else if (mode === "jose") {
  const { importJWK, jwtVerify } = await import("jose");
  const t1 = performance.now();
  const key = await importJWK(publicJwk, "ES256");
  const t2 = performance.now();
  const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: ["ES256"] });
  const t3 = performance.now();
  check(payload);
  check((await jwtVerify(token2, key, { issuer, audience, algorithms: ["ES256"] })).payload);
  Object.assign(out, { import: t1 - t0, newVerifier: t2 - t1, verifyFirst: t3 - t2, firstVerify: t3 - t0, verifySecond: performance.now() - t3 });
} else if (mode === "node-crypto") {
  // Floor: the raw signature check only (no claims), node:crypto.
  const crypto = await import("node:crypto");
  const t1 = performance.now();
  const [h, p, s] = token.split(".");
  const key = crypto.createPublicKey({ key: publicJwk, format: "jwk" });
  const ok = crypto.verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  const t2 = performance.now();
  if (!ok) throw new Error("bad signature");
  Object.assign(out, { import: t1 - t0, firstVerify: t2 - t0 });
} else {
  throw new Error(`unknown mode ${mode}`);
}
out.compileInstantiate = out.compile + out.instantiate;

process.stdout.write(`${JSON.stringify(out)}\n`);
