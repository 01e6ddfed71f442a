// Bundled into pkg/dist/session/web/index.js (browsers, bundlers, Deno): top-level await instantiates
// the module next to it (bundlers see `new URL("tessera_session_bg.wasm", import.meta.url)`).
import init, * as wasm from "../../dist/session/web/tessera_session.js";
import { sessionApi } from "../session.js";

await init();

export const { TokenSession, TesseraError } = sessionApi(wasm);
