// tessera-auth in browsers and bundlers (and tessera-auth/bundler): the whole API, TokenSession
// included. In Node, workerd and Deno the root is authority.d.ts (no TokenSession).
export * from "./authority.cjs";
export { TokenSession } from "./session.js";
export type {
  TokenSessionOptions, SessionState, TokenResponse, LogoutReason, TokenSessionEvent, TokenSessionEventMap,
  TokenSessionListener,
} from "./session.js";
