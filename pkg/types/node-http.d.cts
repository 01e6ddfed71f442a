// tessera-auth/node-http: fetch-style handlers in Node's own HTTP server (CommonJS types).
import type { IncomingMessage, ServerResponse } from "node:http";

export { TesseraError } from "./shared.cjs";
export type { ErrorCode } from "./shared.cjs";

/** A fetch-style handler: `null` or `undefined` becomes `404`. */
export type FetchHandler = (request: Request) => Response | null | undefined | Promise<Response | null | undefined>;

/** `toNodeListener(handler, options)`. */
export interface NodeListenerOptions {
  /** Fixes the scheme and host of `request.url` (default: from the Host header, `https:` on TLS sockets). */
  baseUrl?: string | URL;
  /** Bytes: larger request bodies get `413` (default 1048576, 1 MiB). */
  maxBodyBytes?: number;
  /** Called when the handler throws or returns something other than a Response (the client gets `500`). */
  onError?: (error: unknown) => void;
}

/** Mounts a fetch-style handler in `http.createServer(toNodeListener(handler))`. */
export declare function toNodeListener(
  handler: FetchHandler,
  options?: NodeListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
