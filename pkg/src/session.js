// The session role's public API: `TokenSession`, the browser half. The WebAssembly core decides
// (when to refresh, what an answer means, which token goes to which origin, what a message from
// another tab means, when to replay); this glue performs: timers, fetches, the Web Lock, the
// BroadcastChannel, page events, and with `dpop: true` the key in IndexedDB and its proofs
// (dpop-key.js). The access token lives only in the core's memory and in messages to this
// origin's other tabs: never in any storage, cookie or URL.

import { TesseraError, fail, freed, json } from "./errors.js";
import { HELLO_WAIT_MS, MAX_TIMER_MS, SETTLE_MS, dataCopy, listenForWakeUps, originOf, peek, send, sleep } from "./session-helpers.js";
import { dropKey, loadKey, proof } from "./dpop-key.js";

const KEY_LOST = "dpop_key_lost";

/** The session API over an instantiated session core module. */
export function sessionApi(wasm) {
  class TokenSession extends EventTarget {
    #core;
    #channel = null;
    #timer = null;
    #inFlight = null;
    #started = false;
    #unlisten = [];
    /** With DPoP: the key last loaded (`{ privateKey, jwk, jkt }`). */
    #key = null;

    /** `new TokenSession({ authPath, refreshMargin, channel, apiOrigins, dpop })`. */
    constructor(options) {
      super();
      this.#core = new wasm.SessionCore(dataCopy(options, {}), globalThis.location?.origin ?? "null");
      try {
        this.#channel = new BroadcastChannel(this.#core.channel);
      } catch {
        this.#channel = null;
      }
      this.#listen();
    }

    #live() {
      if (this.#core === undefined) throw freed("TokenSession");
      return this.#core;
    }

    /** `{ status, expiresAt, refreshAt, receivedAt, sessionExpiresAt, scope, subject, clockOffset, failures }`. */
    get state() {
      return this.#live().state(Date.now());
    }

    /** Resumes a session: another tab's token if one answers, else the refresh cookie. */
    async start() {
      const core = this.#live();
      this.#started = true;
      if (!core.signedIn) {
        this.#post(wasm.SessionCore.helloMessage());
        await sleep(HELLO_WAIT_MS);
      }
      if (this.#core !== undefined && !core.signedIn) await this.#refresh();
      this.#schedule();
      return this.state;
    }

    /** `POST {authPath}/login` with `body` as JSON; resolves with `state`. */
    async login(body) {
      const core = this.#live();
      const text = json(body, "the login body");
      // Under the same lock as refreshes: a refresh answer (which may clear the cookie) can then
      // never land after this login's new cookie.
      await this.#inFlight?.catch(() => {});
      let status = 0;
      let answer;
      await this.#withLock(async () => {
        if (core.dpop && !(this.#key = await loadKey(core.channel, true))) return (status = -1);
        [status, answer] = await this.#authRequest("login", text);
      });
      if (status === -1) throw fail("ERR_DPOP_BINDING", "no DPoP key could be made or stored (WebCrypto and IndexedDB are needed)");
      if (status === 0) throw fail("ERR_STORE_UNAVAILABLE", "the login request failed");
      if (status !== 200) {
        const code = typeof answer?.code === "string" && answer.code.startsWith("ERR_") ? answer.code : "ERR_INVALID_GRANT";
        throw fail(code, "login was refused");
      }
      this.#accept(answer, "login");
      return this.state;
    }

    /** Takes a token response obtained elsewhere (`{ access_token, token_type, expires_in, scope }`). */
    accept(response) {
      this.#live();
      this.#accept(dataCopy(response, undefined), "accept");
      return this.state;
    }

    /** Refreshes now (shared with concurrent calls and other tabs); resolves with `state`. */
    async refresh() {
      this.#live();
      await this.#refresh();
      return this.state;
    }

    /** `fetch` with `Authorization: Bearer <token>` (with `dpop`: `DPoP <token>` and a `DPoP`
     * proof) for this origin and `apiOrigins`; a rejected token (`401`, `error="invalid_token"`)
     * is refreshed once and the request replayed once, as is a `use_dpop_nonce` answer. */
    async fetch(input, init) {
      const core = this.#live();
      const request = new Request(input, init);
      const spare = request.bodyUsed ? null : request.clone();
      const origin = originOf(request.url);
      if (core.needsRefreshToSend(origin, Date.now())) await this.#refresh().catch(() => {});
      const token = core.tokenFor(origin, Date.now());
      const response = await this.#send(request, token, origin);
      if (token === undefined || spare === null || this.#core === undefined) return response;
      const nonce = this.#nonce(response, origin);
      const reaction = core.apiResponse(origin, token, response.status, response.headers.get("www-authenticate") ?? undefined, nonce, Date.now());
      if (reaction === 0) return response;
      if (reaction === 1) await this.#refresh().catch(() => {});
      const fresh = core.tokenFor(origin, Date.now());
      if (fresh === undefined || (fresh === token && reaction !== 3)) return response;
      this.#emit("replay", { url: spare.url });
      return this.#send(spare, fresh, origin);
    }

    /** `POST {authPath}/logout`, then every tab signs out (with `dpop`, the key is forgotten). */
    async logout() {
      const core = this.#live();
      await this.#withLock(async () => {
        if (core.dpop) this.#key ??= await loadKey(core.channel, false);
        await this.#authRequest("logout");
        if (core.dpop) await dropKey(core.channel);
      });
      this.#end("logout");
      return this.state;
    }

    /** Stops timers, listeners and the channel, and releases the WebAssembly memory. */
    free() {
      if (this.#core === undefined) return;
      this.#clearTimer();
      for (const unlisten of this.#unlisten) unlisten();
      this.#unlisten = [];
      this.#channel?.close();
      this.#channel = null;
      this.#core.free();
      this.#core = undefined;
    }

    /** `POST {authPath}/{endpoint}` with a proof by the key when DPoP is on, once more with the
     * authority's nonce if it asks (RFC 9449 §8) → `[status (0: failed), JSON body]`. */
    async #authRequest(endpoint, body) {
      const core = this.#core;
      const url = core.endpoint(endpoint);
      const headers = { "tessera-request": "1" };
      if (body !== undefined) headers["content-type"] = "application/json";
      for (let attempt = 0; ; attempt++) {
        try {
          if (this.#key) headers.dpop = await proof(this.#key, "POST", url, core.proofIat(Date.now()), core.nonceFor(originOf(new URL(url, globalThis.location?.href).href)));
          const response = await fetch(url, { method: "POST", credentials: "same-origin", cache: "no-store", headers, body });
          const answer = await response.json().catch(() => undefined);
          const nonce = this.#nonce(response, originOf(response.url));
          if (attempt > 0 || !core.retryWithNonce(response.status, typeof answer?.error === "string" ? answer.error : undefined, nonce)) return [response.status, answer];
        } catch {
          return [0, undefined];
        }
      }
    }

    /** A `DPoP-Nonce` header of a response from `origin`: kept by the core, shared with the
     * other tabs when new → whether it was new. */
    #nonce(response, origin) {
      const value = this.#core?.dpop ? response.headers.get("dpop-nonce") : null;
      const message = value === null ? undefined : this.#core.nonceSeen(origin, value);
      if (message !== undefined) this.#post(message);
      return message !== undefined;
    }

    /** `fetch(request)` with the token (and with DPoP a proof by the token's key). A token whose
     * key is gone ends the session and the request goes without it: never as Bearer. */
    async #send(request, token, origin) {
      const core = this.#core;
      if (token === undefined || !core.dpop) return send(request, token, "Bearer");
      if (this.#key?.jkt !== core.heldJkt) {
        this.#key = await loadKey(core.channel, false);
        if (this.#core === undefined) return fetch(request);
        if (core.keyCheck(this.#key?.jkt) !== 0 || !this.#key) {
          this.#end(KEY_LOST);
          return fetch(request);
        }
      }
      request.headers.set("dpop", await proof(this.#key, request.method, request.url, core.proofIat(Date.now()), core.nonceFor(origin), token));
      return send(request, token, "DPoP");
    }

    #emit(kind, detail) {
      this.dispatchEvent(new CustomEvent(kind, { detail }));
    }

    #post(message) {
      try {
        this.#channel?.postMessage(message);
      } catch {}
    }

    #accept(data, source) {
      const { subject, iat } = peek(data?.access_token);
      const message = this.#core.accept(data, subject, iat, this.#key?.jkt, Date.now());
      this.#post(message);
      this.#schedule();
      this.#emit("refresh", { source });
      this.#emit("change", this.state);
    }

    /** This tab signs out and tells the others. */
    #end(reason) {
      this.#core.signOut();
      this.#clearTimer();
      this.#post(wasm.SessionCore.logoutMessage(reason));
      this.#emit("logout", { reason, source: "this-tab" });
      this.#emit("change", this.state);
    }

    #clearTimer() {
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    }

    /** Acts on the core's next step: refresh now, or one timer. */
    #schedule() {
      this.#clearTimer();
      if (this.#core === undefined) return;
      const now = Date.now();
      const next = this.#core.next(now);
      if (next === 0) this.#refresh().catch(() => {});
      else if (next > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#schedule();
        }, Math.min(Math.max(next - now, 0), MAX_TIMER_MS));
      }
    }

    /** Runs `work` holding this session's Web Lock (refreshes and logins of all the origin's
     * tabs never overlap); without Web Locks (old browsers, insecure contexts) it just runs. */
    #withLock(work) {
      const locks = globalThis.navigator?.locks;
      return locks ? locks.request(this.#core.lockName, work) : work();
    }

    /** One refresh at a time in this tab (single flight) and across tabs (the Web Lock). */
    #refresh() {
      if (this.#inFlight) return this.#inFlight;
      const requested = Date.now();
      this.#inFlight = this.#withLock(() => this.#lockedRefresh(requested)).finally(() => {
        this.#inFlight = null;
      });
      return this.#inFlight;
    }

    async #lockedRefresh(requested) {
      await sleep(SETTLE_MS);
      const core = this.#core;
      if (core === undefined) return;
      // Another tab refreshed while this one waited for the lock: its token was shared.
      if (!core.stillNeeded(requested)) return this.#schedule();
      if (core.dpop) {
        // The stored key, read again: a cleared IndexedDB ends the session here, with its reason.
        this.#key = await loadKey(core.channel, false);
        if (this.#core === undefined) return;
        const check = core.keyCheck(this.#key?.jkt);
        if (check === 2) return this.#end(KEY_LOST);
        if (check === 1) return this.#schedule();
      }
      const ticket = core.ticket();
      const [status, body] = await this.#authRequest("refresh");
      if (this.#core === undefined) return;
      const { subject, iat } = peek(body?.access_token);
      const result = core.answered(ticket, status, body, subject, iat, this.#key?.jkt, Date.now());
      switch (result.outcome) {
        case "refreshed":
          this.#post(result.message);
          this.#schedule();
          this.#emit("refresh", { source: "refresh" });
          this.#emit("change", this.state);
          break;
        case "signed-out":
          this.#end("invalid_grant");
          break;
        case "failed":
          this.#emit("refreshfailed", { failures: result.failures, status: result.status });
          this.#schedule();
          break;
        default: // superseded, refused
          this.#schedule();
      }
    }

    /** BroadcastChannel messages from other tabs, and the wake-up events of this one. */
    #listen() {
      const onMessage = (event) => {
        const core = this.#core;
        if (core === undefined) return;
        const result = core.heard(event.data, Date.now());
        switch (result.heard) {
          case "adopted":
            this.#schedule();
            this.#emit("refresh", { source: "shared" });
            this.#emit("change", this.state);
            break;
          case "share":
            this.#post(result.message);
            break;
          case "signed-out":
            this.#clearTimer();
            this.#emit("logout", { reason: result.reason, source: "other-tab" });
            this.#emit("change", this.state);
            break;
        }
      };
      if (this.#channel) {
        this.#channel.addEventListener("message", onMessage);
        this.#unlisten.push(() => this.#channel?.removeEventListener("message", onMessage));
      }
      // Sleeping laptops and background tabs: re-check at once when the page comes back.
      const onWake = () => {
        if (this.#core === undefined || !this.#started || globalThis.document?.hidden) return;
        this.#core.wake(Date.now());
        this.#schedule();
      };
      this.#unlisten.push(...listenForWakeUps(onWake));
    }
  }

  return { TokenSession, TesseraError };
}
