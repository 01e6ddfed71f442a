// tessera-auth/session: TokenSession, the browser half (ES module only).
export { TesseraError } from "./shared.cjs";
export type { ErrorCode } from "./shared.cjs";

/** `new TokenSession(options)`. */
export interface TokenSessionOptions {
  /** The authority's endpoints: a path (default `"/auth"`) or a URL. */
  authPath?: string;
  /** Seconds before expiry to refresh: 0 to 3600 (default 30; at most a quarter of the token's lifetime). */
  refreshMargin?: number;
  /** The BroadcastChannel name; the Web Lock is `<channel>:refresh` (default `"tessera"`). */
  channel?: string;
  /** Origins besides the page's own that may receive the access token (`URL.origin` form). */
  apiOrigins?: readonly string[];
  /**
   * DPoP-bound tokens (RFC 9449): a non-extractable P-256 key kept in IndexedDB (shared by the
   * origin's tabs, kept across reloads, made at login, forgotten at logout) signs a proof for
   * login, refresh, logout and every `session.fetch`, which sends `Authorization: DPoP <token>`.
   * A lost key ends the session (`logout` event, reason `"dpop_key_lost"`). Default `false`.
   */
  dpop?: boolean;
}

/** `session.state`. Times are unix milliseconds, `null` while signed out. */
export interface SessionState {
  status: "signed-in" | "expired" | "signed-out";
  /** When the access token expires (local receipt time + `expires_in`), unix ms. */
  expiresAt: number | null;
  /** When the next refresh is due, unix ms. */
  refreshAt: number | null;
  /** When the access token was received, unix ms. */
  receivedAt: number | null;
  /** When the session itself ends (the absolute lifetime), unix ms, if the authority said. */
  sessionExpiresAt: number | null;
  scope: string | null;
  /** The token's `sub`, read without verification (for display only). */
  subject: string | null;
  /** Seconds the authority's clock (the token's `iat`) is ahead of this one at receipt. */
  clockOffset: number | null;
  /** Refresh attempts that failed in a row. */
  failures: number;
}

/** A token response obtained elsewhere, for `session.accept(response)`. */
export interface TokenResponse {
  access_token: string;
  /** `"Bearer"` (`"DPoP"` with the option `dpop`). */
  token_type: string;
  /** Seconds the access token lives. */
  expires_in: number;
  scope?: string;
  /** Seconds left in the session's absolute lifetime. */
  refresh_expires_in?: number;
}

/** Why a session ended: `"logout"` (a tab logged out), `"invalid_grant"` (the authority refused the refresh token), `"dpop_key_lost"` (with `dpop`: the session's key is gone from IndexedDB). */
export type LogoutReason = "logout" | "invalid_grant" | "dpop_key_lost";

/** An event of a `TokenSession` (a `CustomEvent`) with its `detail`. */
export interface TokenSessionEvent<Detail> extends Event {
  readonly detail: Detail;
}

/** The events of a `TokenSession` and their details. */
export interface TokenSessionEventMap {
  /** The state changed (detail: the new state). */
  change: TokenSessionEvent<SessionState>;
  /** A new access token: from `login`, `accept`, a refresh by this tab, or shared by another tab. */
  refresh: TokenSessionEvent<{ source: "login" | "accept" | "refresh" | "shared" }>;
  /** A refresh failed (network error or 5xx) and will be retried; `status` is 0 for a network error. */
  refreshfailed: TokenSessionEvent<{ failures: number; status: number }>;
  /** A request rejected with `401 invalid_token` is sent again with a fresh token (or, with `dpop`, after `use_dpop_nonce` with the server's nonce). */
  replay: TokenSessionEvent<{ url: string }>;
  /** The session ended, in this tab or another. */
  logout: TokenSessionEvent<{ reason: LogoutReason; source: "this-tab" | "other-tab" }>;
}

/** A listener of `TokenSession` event `K`. */
export type TokenSessionListener<K extends keyof TokenSessionEventMap> =
  | ((this: TokenSession, event: TokenSessionEventMap[K]) => void)
  | { handleEvent(event: TokenSessionEventMap[K]): void };

/**
 * The browser half: keeps the access token in memory only, refreshes it once across tabs (Web
 * Lock + BroadcastChannel) before it expires, and adds it to `session.fetch` requests.
 */
export declare class TokenSession extends EventTarget {
  /** @throws {TesseraError} `ERR_INVALID_OPTIONS` */
  constructor(options?: TokenSessionOptions);
  /** The current state (a new object each time). */
  readonly state: SessionState;
  /** Resumes a session: another tab's token if one answers, else the refresh cookie. */
  start(): Promise<SessionState>;
  /**
   * `POST {authPath}/login` with `body` as JSON (e.g. `{ username, password }`).
   * @throws {TesseraError} the authority's code; `ERR_DPOP_BINDING` with `dpop` when no key can be made or stored.
   */
  login(body: unknown): Promise<SessionState>;
  /** Takes a token response obtained elsewhere (with `dpop`: obtained with this session's key, after `start` or `login`). */
  accept(response: TokenResponse): SessionState;
  /** Refreshes now (shared with concurrent calls and other tabs). */
  refresh(): Promise<SessionState>;
  /**
   * `fetch` with `Authorization: Bearer <token>` (with `dpop`: `DPoP <token>` and a `DPoP` proof)
   * for this origin and `apiOrigins`; a `401` with `error="invalid_token"` causes one shared
   * refresh and one replay, a `401` with `error="use_dpop_nonce"` and a `DPoP-Nonce` one replay
   * with that nonce (kept per origin and shared with the other tabs).
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** `POST {authPath}/logout`, then every tab signs out (with `dpop`, the key is forgotten). */
  logout(): Promise<SessionState>;
  /** Stops timers, listeners and the channel, and releases the WebAssembly memory. */
  free(): void;
  addEventListener<K extends keyof TokenSessionEventMap>(
    type: K,
    listener: TokenSessionListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof TokenSessionEventMap>(
    type: K,
    listener: TokenSessionListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
