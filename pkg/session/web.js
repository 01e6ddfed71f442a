// tessera-auth/session for browsers and bundlers: the TokenSession build. Top-level await
// instantiates the module next to the glue (bundlers see `new URL("…_bg.wasm", import.meta.url)`).
import init, * as wasm from "../dist/session/web/tessera_session.js";
import { sessionApi } from "../src/session.js";

await init();

export const { TokenSession, TesseraError } = sessionApi(wasm);
