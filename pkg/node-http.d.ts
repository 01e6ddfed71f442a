import type { IncomingMessage, ServerResponse } from "node:http";

export interface NodeListenerOptions {
  /** Fixes the scheme and host of `request.url` (default: the Host header; `https:` on TLS sockets). */
  baseUrl?: string;
  /** Larger request bodies get `413` (default 1 MiB). */
  maxBodyBytes?: number;
  /** Called when the handler throws or returns something other than a Response (then `500`). */
  onError?: (error: unknown) => void;
}

/** Mounts a fetch-style handler in `http.createServer`; `null`/`undefined` from the handler is `404`. */
export declare function toNodeListener(
  handler: (request: Request) => Response | null | undefined | Promise<Response | null | undefined>,
  options?: NodeListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => void;
