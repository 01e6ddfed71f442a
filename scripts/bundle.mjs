// Bundles the package's entries (run by scripts/build.sh after wasm-bindgen): each entry and the
// glue it loads become one file next to its role's .wasm, so a runtime fetches one script.
//   pkg/dist/<role>/web/index.js     browsers, bundlers, Deno   ESM, minified
//   pkg/dist/<role>/web/workerd.js   Cloudflare Workers         ESM, minified (.wasm import kept)
//   pkg/dist/<role>/node.cjs         Node (require and import)  CommonJS, readable
//   pkg/dist/redis.cjs, node-http.cjs                           CommonJS builds of the helpers
// The wasm layer constructs TesseraError through an import of pkg/src/errors.js, which
// wasm-bindgen copies under dist/<role>/*/snippets/: the plugin below points those imports back to
// pkg/src/errors.js, so a bundle has one copy of the class.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const errors = `${pkg}src/errors.js`;

const oneErrorModule = {
  name: "one-error-module",
  setup(esbuild) {
    esbuild.onResolve({ filter: /snippets\/.+\/pkg\/src\/errors\.js$/ }, () => ({ path: errors }));
  },
};

// wasm-bindgen (0.2.130, pinned) copies a string argument into wasm memory one UTF-16 unit at a
// time while the units are ASCII, then finishes with TextEncoder.encodeInto. For the strings a
// verifier is handed on every call (a token of a few hundred bytes, a DPoP proof, a URL), one
// encodeInto into the same allocation is faster: measured in one Node process, the repeat-token
// verifySync ran 1.41× as fast (334k -> 472k ops/s). The patch tries it first for strings longer
// than 32 units and falls back to wasm-bindgen's own code (from the start) unless every unit was
// read into exactly that many bytes, i.e. the string is ASCII. The build fails if the glue no
// longer has the code this expects.
const asciiStrings = {
  name: "ascii-strings",
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]tessera_(verify|authority)\.js$/ }, async ({ path }) => {
      const glue = await readFile(path, "utf8");
      const start = "    let len = arg.length;\n    let ptr = malloc(len, 1) >>> 0;\n";
      if (glue.split(start).length !== 2) throw new Error(`${path}: wasm-bindgen's passStringToWasm0 is not the one scripts/bundle.mjs patches`);
      const fast =
        "    if (len > 32) {\n" +
        "        const done = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));\n" +
        "        if (done.read === len && done.written === len) { WASM_VECTOR_LEN = len; return ptr; }\n" +
        "    }\n";
      return { contents: matchArity(path, glue.replace(start, start + fast)), loader: "js" };
    });
  },
};

// wasm-bindgen wraps an import that may throw as `function() { return handleError(function (arg0,
// arg1) { … }, arguments); }`: a JS function of arity 0 for a wasm import of two parameters. V8
// then compiles an arity-adapting wrapper when the module is instantiated, beside the matching
// wrappers it compiled with the module: measured on the verify build in fresh Node processes,
// `new WebAssembly.Instance` took 0.36 ms with the arity-0 function and 0.19 ms with one whose
// arity matches (medians of 7). The outer function gets the inner one's parameters (it still
// passes `arguments` on). The build fails if a wrapper of arity 0 around parameters is left.
function matchArity(path, glue) {
  const patched = glue.replace(/: function\(\) \{ return handleError\(function \(([^)]*)\) \{/g, ": function($1) { return handleError(function ($1) {");
  if (/function\(\) \{ return handleError\(function \([^)]/.test(patched)) throw new Error(`${path}: an import wrapper of arity 0 is left`);
  return patched;
}

const common = { bundle: true, logLevel: "warning", legalComments: "none", plugins: [oneErrorModule, asciiStrings] };
const web = { ...common, format: "esm", platform: "neutral", target: "es2022", minify: true, mainFields: ["module", "main"] };
const node = { ...common, format: "cjs", platform: "node", target: "node20" };

const jobs = [];
for (const role of ["session", "verify", "authority"]) {
  jobs.push(build({ ...web, entryPoints: [`${pkg}src/entries/${role}-web.js`], outfile: `${pkg}dist/${role}/web/index.js` }));
  if (role === "session") continue;
  jobs.push(
    build({ ...web, entryPoints: [`${pkg}src/entries/${role}-workerd.js`], outfile: `${pkg}dist/${role}/web/workerd.js`, external: ["*.wasm"] }),
    build({ ...node, entryPoints: [`${pkg}src/entries/${role}-node.js`], outfile: `${pkg}dist/${role}/node.cjs` }),
  );
}
for (const helper of ["redis", "node-http"]) {
  jobs.push(build({ ...node, entryPoints: [`${pkg}${helper}.js`], outfile: `${pkg}dist/${helper}.cjs` }));
}
await Promise.all(jobs);
