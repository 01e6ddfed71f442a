// Bundled into pkg/dist/verify/web/index.js (browsers, bundlers, Deno): top-level await instantiates
// the module next to it (bundlers see `new URL("tessera_verify_bg.wasm", import.meta.url)`).
import init, * as wasm from "../../dist/verify/web/tessera_verify.js";
import { verifyApi } from "../verify.js";

await init();

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);
