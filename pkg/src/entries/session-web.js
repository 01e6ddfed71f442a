// Bundled into pkg/dist/session/web/index.js (browsers, bundlers, Deno): top-level await compiles the
// module next to it (bundlers see `new URL("tessera_session_bg.wasm", import.meta.url)`) and
// instantiates it. wasm-bindgen's own async loader is left out: it carries code for call shapes this
// entry never uses (about 0.5 kB gzip of a 25 kB budget).
import { SessionCore, initSync } from "../../dist/session/web/tessera_session.js";
import { sessionApi } from "../session.js";

const url = new URL("tessera_session_bg.wasm", import.meta.url);
// Streaming compile where the server labels the file application/wasm; else from the bytes.
const module = await WebAssembly.compileStreaming(fetch(url)).catch(async () => WebAssembly.compile(await (await fetch(url)).arrayBuffer()));
initSync({ module });

export const { TokenSession, TesseraError } = sessionApi({ SessionCore });
