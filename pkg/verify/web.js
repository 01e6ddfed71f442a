// tessera-auth/verify for browsers, bundlers and Deno: top-level await instantiates the module next
// to the glue (bundlers see `new URL("…_bg.wasm", import.meta.url)`; Deno needs --allow-read).
import init, * as wasm from "../dist/verify/web/tessera_verify.js";
import { verifyApi } from "../src/verify.js";

await init();

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);
