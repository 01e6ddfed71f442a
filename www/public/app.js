// The demo app: one TokenSession, a lifetime view, a timeline and a few buttons.
import { TokenSession } from "/pkg/session/web.js";

const $ = (id) => document.getElementById(id);
// DPoP on (RFC 9449): tokens bound to a key this browser cannot export. `?dpop=0` shows plain Bearer.
const dpop = new URLSearchParams(location.search).get("dpop") !== "0";
const session = new TokenSession({ authPath: "/auth", refreshMargin: 30, channel: dpop ? "tessera-demo" : "tessera-demo-bearer", dpop });
let lifetime = 0; // ms of the current access token
let sessionLength = 0; // ms of the session's absolute lifetime, as first seen

const ICONS = { login: "✓", refresh: "↻", shared: "⇄", replay: "↺", logout: "⎋", failed: "!", theft: "✕", api: "→", refused: "⛔" };

function log(kind, text, bad = false) {
  const item = document.createElement("li");
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  const icon = document.createElement("span");
  icon.textContent = ICONS[kind] ?? "•";
  const body = document.createElement("span");
  body.textContent = text;
  if (bad) body.className = "bad";
  item.dataset.kind = kind;
  item.append(time, icon, body);
  $("timeline").prepend(item);
}

const seconds = (ms) => `${Math.max(0, Math.round(ms / 1000))} s`;

function render() {
  const s = session.state;
  const signedIn = s.status === "signed-in";
  $("status").textContent = signedIn ? "signed-in" : "signed-out";
  $("dot").classList.toggle("on", signedIn);
  $("signin").hidden = signedIn;
  // "expired" still holds a session: the next API call refreshes first.
  for (const id of ["call-api", "simulate-theft", "steal-access", "logout", "logout-everywhere"]) $(id).disabled = s.status === "signed-out";
  const now = Date.now();
  if (s.expiresAt) {
    lifetime = Math.max(lifetime, s.expiresAt - s.receivedAt);
    $("ttl").textContent = Math.round(lifetime / 1000);
    const left = s.expiresAt - now;
    $("access-fill").style.width = `${Math.max(0, (100 * left) / lifetime)}%`;
    $("access-left").textContent = left > 0 ? `${seconds(left)} left` : "expired";
    const mark = $("refresh-mark");
    mark.style.display = "block";
    mark.style.left = `${Math.min(100, (100 * (s.refreshAt - s.receivedAt)) / lifetime)}%`;
    $("refresh-hint").textContent = `Refresh in ${seconds(s.refreshAt - now)} (the mark), once across all tabs.`;
  } else {
    $("access-fill").style.width = "0";
    $("access-left").textContent = "no token";
    $("refresh-mark").style.display = "none";
  }
  if (s.sessionExpiresAt) {
    sessionLength = Math.max(sessionLength, s.sessionExpiresAt - now);
    $("session-fill").style.width = `${(100 * (s.sessionExpiresAt - now)) / sessionLength}%`;
    $("session-left").textContent = `${Math.round((s.sessionExpiresAt - now) / 60000)} min left`;
  } else {
    $("session-fill").style.width = "0";
    $("session-left").textContent = "—";
  }
  $("subject").textContent = s.subject ?? "—";
  $("scope").textContent = s.scope ?? "—";
  $("offset").textContent = s.clockOffset == null ? "—" : `${s.clockOffset} s`;
}

const REFRESH_TEXT = {
  login: ["login", "Signed in: access token received, refresh token set as an HttpOnly cookie"],
  refresh: ["refresh", "Proactive refresh: new access token, refresh token rotated"],
  shared: ["shared", "Token shared from another tab (no refresh needed here)"],
  accept: ["login", "Access token accepted"],
};
session.addEventListener("refresh", (e) => {
  const [kind, text] = REFRESH_TEXT[e.detail.source] ?? ["refresh", "Token refreshed"];
  log(kind, text);
  render();
});
session.addEventListener("replay", () => log("replay", "API said 401 invalid_token: refreshed once and replayed the request"));
session.addEventListener("refreshfailed", (e) =>
  log("failed", `Refresh failed (${e.detail.status ? `HTTP ${e.detail.status}` : "network"}, attempt ${e.detail.failures}); retrying while the token is valid`, true),
);
session.addEventListener("logout", (e) => {
  const why = {
    logout: "Signed out",
    invalid_grant: "Session ended by the server: refresh token reuse detected or session revoked",
    everywhere: "Signed out everywhere",
    dpop_key_lost: "Signed out: this browser's DPoP key is gone (site data cleared), so its tokens are useless",
  }[e.detail.reason] ?? `Signed out (${e.detail.reason})`;
  log("logout", `${why}${e.detail.source === "other-tab" ? " (from another tab)" : ""}`, e.detail.reason === "invalid_grant");
  lifetime = 0;
  sessionLength = 0;
  render();
});
session.addEventListener("change", render);

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData(event.target));
  $("login-error").hidden = true;
  try {
    await session.login(form);
  } catch (error) {
    $("login-error").textContent = "Those are not the demo credentials (demo / demo).";
    $("login-error").hidden = false;
  }
});

$("call-api").addEventListener("click", async () => {
  const res = await session.fetch("/api/hello");
  const body = await res.json();
  $("api-result").textContent = `${res.status} ${res.statusText}\n${JSON.stringify(body, null, 2)}`;
  log("api", `API call: ${res.status}`, res.status !== 200);
});

$("open-tab").addEventListener("click", () => window.open(location.href, "_blank"));

$("simulate-theft").addEventListener("click", async () => {
  log("theft", "Simulating theft: an attacker uses a copy of this browser's refresh token…", true);
  const res = await fetch("/auth/demo/steal", { method: "POST", headers: { "tessera-request": "1" } });
  const result = await res.json();
  if (result.revoked) log("theft", "The copied token was used twice: the authority revoked the whole session family", true);
  else if (result.attacker === 400) log("refused", "The copied refresh token was refused: it only works with this browser's DPoP key (nothing revoked)");
  else log("theft", "Theft simulation is off in this config", true);
  await session.refresh(); // with Bearer: this refresh meets the revoked family → every tab signs out
});

$("steal-access").addEventListener("click", async () => {
  log("theft", "Stealing the access token: an attacker replays a copy of it from their own server…", true);
  const res = await session.fetch("/api/demo/steal-access", { method: "POST" });
  const result = await res.json().catch(() => ({ replays: [] }));
  for (const { how, status, code } of result.replays ?? []) {
    if (status === 200) log("theft", `Copied token replayed ${how}: accepted (a Bearer token works for whoever holds it)`, true);
    else log("refused", `Copied token replayed ${how}: refused, ${status} ${code ?? ""} (it is bound to this browser's key)`);
  }
  const own = await session.fetch("/api/hello");
  log("api", `This page's own API call with its key: ${own.status}`, own.status !== 200);
});

$("logout").addEventListener("click", () => session.logout());

$("logout-everywhere").addEventListener("click", async () => {
  const res = await session.fetch("/api/logout-everywhere", { method: "POST" });
  log("logout", res.ok ? "Every session of this user revoked on the server" : `Log out everywhere failed: ${res.status}`, !res.ok);
  await session.logout();
});

setInterval(render, 250);
render();
window.tessera = { session, dpop }; // for curious developers (and the end-to-end tests)
const state = await session.start();
log(state.status === "signed-in" ? "login" : "logout", state.status === "signed-in" ? "Resumed the session from the refresh cookie or another tab" : "No session yet: sign in");
render();
