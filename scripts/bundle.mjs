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
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const errors = `${pkg}src/errors.js`;

const oneErrorModule = {
  name: "one-error-module",
  setup(esbuild) {
    esbuild.onResolve({ filter: /snippets\/.+\/pkg\/src\/errors\.js$/ }, () => ({ path: errors }));
  },
};

const common = { bundle: true, logLevel: "warning", legalComments: "none", plugins: [oneErrorModule] };
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
