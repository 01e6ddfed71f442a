// Bundled into pkg/dist/authority/web/workerd.js (Cloudflare Workers): the .wasm import is a compiled
// WebAssembly.Module there, instantiated synchronously (this uses no random values, so it is
// allowed at global scope).
import module from "./tessera_authority_bg.wasm";
import * as wasm from "../../dist/authority/web/tessera_authority.js";
import { authorityApi } from "../authority.js";

wasm.initSync({ module });

export const { Authority, MemoryStore, Signer, generateKeyPair, Verifier, redact, errorResponse, TesseraError } = authorityApi(wasm);
