// The source of dist/verify/node.cjs (bundled by scripts/build.sh): the verify API over the
// wasm-bindgen Node build, which loads the .wasm next to it synchronously.
import * as wasm from "./node/tessera_verify.js";
import { verifyApi } from "../verify.js";

export const { Verifier, redact, errorResponse, TesseraError } = verifyApi(wasm);
