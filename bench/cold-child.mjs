// One cold-start measurement in a fresh Node process (spawned by run.mjs; prints one JSON line).
// argv[2] is the mode; BENCH_COLD_INPUT (env) holds { token, publicJwk, issuer, audience }.
// Every timer starts at `t0`, the first statement of this module: module loading counts.
const t0 = performance.now();
const mode = process.argv[2];
const { token, publicJwk, issuer, audience } = JSON.parse(process.env.BENCH_COLD_INPUT);
const out = { mode, processStartToT0: t0 };

if (mode === "wasm") {
  // The web build's glue, instantiated by hand: read bytes, compile, initSync({ module }).
  const { readFileSync } = await import("node:fs");
  const glue = await import("../pkg/dist/web/tessera.js");
  const t1 = performance.now();
  const bytes = readFileSync(new URL("../pkg/dist/web/tessera_bg.wasm", import.meta.url));
  const t2 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t3 = performance.now();
  glue.initSync({ module });
  const t4 = performance.now();
  const verifier = new glue.Verifier({ jwks: { keys: [publicJwk] }, issuer, audience });
  const claims = verifier.verifySync(token);
  const t5 = performance.now();
  if (claims.iss !== issuer) throw new Error("wrong claims");
  Object.assign(out, {
    importGlue: t1 - t0,
    readBytes: t2 - t1,
    compile: t3 - t2,
    instantiate: t4 - t3,
    compileInstantiate: t4 - t2,
    firstVerify: t5 - t0,
    sinceProcessStart: t5,
  });
} else if (mode === "tessera-auth") {
  // The package as a Node user imports it (the nodejs build, instantiated on import).
  const { Verifier } = await import("tessera-auth");
  const t1 = performance.now();
  const claims = new Verifier({ jwks: { keys: [publicJwk] }, issuer, audience }).verifySync(token);
  const t2 = performance.now();
  if (claims.iss !== issuer) throw new Error("wrong claims");
  Object.assign(out, { import: t1 - t0, firstVerify: t2 - t0, sinceProcessStart: t2 });
} else if (mode === "jose") {
  const { importJWK, jwtVerify } = await import("jose");
  const t1 = performance.now();
  const key = await importJWK(publicJwk, "ES256");
  const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: ["ES256"] });
  const t2 = performance.now();
  if (payload.iss !== issuer) throw new Error("wrong claims");
  Object.assign(out, { import: t1 - t0, firstVerify: t2 - t0, sinceProcessStart: t2 });
} else if (mode === "node-crypto") {
  // Floor: the raw signature check only (no claims), node:crypto.
  const crypto = await import("node:crypto");
  const t1 = performance.now();
  const [h, p, s] = token.split(".");
  const key = crypto.createPublicKey({ key: publicJwk, format: "jwk" });
  const ok = crypto.verify("sha256", Buffer.from(`${h}.${p}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
  const t2 = performance.now();
  if (!ok) throw new Error("bad signature");
  Object.assign(out, { import: t1 - t0, firstVerify: t2 - t0, sinceProcessStart: t2 });
} else {
  throw new Error(`unknown mode ${mode}`);
}

process.stdout.write(`${JSON.stringify(out)}\n`);
