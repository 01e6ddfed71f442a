// Helpers of the session glue (pkg/src/session.js) that hold no state: timing constants, reading
// options and tokens, origins, and the page events that wake a sleeping tab.

import { fail } from "./errors.js";

/** How long a tab that starts waits for another tab to share its token. */
export const HELLO_WAIT_MS = 150;
/** Inside the lock: let messages already posted by the previous holder arrive first. */
export const SETTLE_MS = 25;
/** Timers are capped (and throttled in background tabs): wake at least hourly. */
export const MAX_TIMER_MS = 3_600_000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain data copy of a value (getters run here, inside a `try`), or `fallback`. */
export function dataCopy(value, fallback) {
  if (value === undefined || value === null) return fallback;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    throw fail("ERR_INVALID_OPTIONS", "TokenSession options must be a plain, JSON-compatible object");
  }
}

/** `sub` and `iat` of an access token, read without verification, for display only. */
export function peek(token) {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    const claims = JSON.parse(atob(payload));
    return {
      subject: typeof claims.sub === "string" ? claims.sub : undefined,
      iat: typeof claims.iat === "number" ? claims.iat : undefined,
    };
  } catch {
    return {};
  }
}

/** The origin of a request URL (`URL.origin`), or `"null"`. */
export function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return "null";
  }
}

/** `fetch(request)` with the token, if any, under `scheme` (`Bearer` or `DPoP`). */
export function send(request, token, scheme) {
  if (token !== undefined) request.headers.set("authorization", `${scheme} ${token}`);
  return fetch(request);
}

/** Page events after which a tab re-checks its token at once (sleep, background, offline);
 * returns the functions that remove the listeners. */
export function listenForWakeUps(onWake) {
  const unlisten = [];
  const targets = [
    [globalThis.window, ["pageshow", "online", "focus"]],
    [globalThis.document, ["visibilitychange"]],
  ];
  for (const [target, kinds] of targets) {
    if (typeof target?.addEventListener !== "function") continue;
    for (const kind of kinds) {
      target.addEventListener(kind, onWake);
      unlisten.push(() => target.removeEventListener(kind, onWake));
    }
  }
  return unlisten;
}
