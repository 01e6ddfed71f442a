// tessera-auth/session in a page (compiled, never run).
import { TokenSession, TesseraError } from "tessera-auth/session";
import type { SessionState, TokenSessionOptions } from "tessera-auth/session";

const options: TokenSessionOptions = { authPath: "/auth", refreshMargin: 30, channel: "tessera", apiOrigins: ["https://api.example"] };
const session = new TokenSession(options);

session.addEventListener("change", (event) => render(event.detail));
session.addEventListener("refresh", (event) => {
  const source: "login" | "accept" | "refresh" | "shared" = event.detail.source;
  console.log(source);
});
session.addEventListener("refreshfailed", (event) => console.log(event.detail.failures + event.detail.status));
session.addEventListener("replay", (event) => console.log(event.detail.url.length));
session.addEventListener("logout", (event) => {
  if (event.detail.reason === "invalid_grant" && event.detail.source === "other-tab") location.assign("/login");
}, { once: true });
const onChange = { handleEvent: (event: CustomEvent<SessionState>) => render(event.detail) };
session.addEventListener("change", onChange);
session.removeEventListener("change", onChange);

function render(state: SessionState): void {
  const expiresAt: number | null = state.expiresAt;
  document.title = `${state.status} ${state.subject ?? ""} ${expiresAt ?? ""}`;
}

export async function run(): Promise<void> {
  render(await session.start());
  try {
    render(await session.login({ username: "demo", password: "demo" }));
  } catch (error) {
    if (error instanceof TesseraError) console.log(error.code);
  }
  const response: Response = await session.fetch("/api/hello", { method: "GET" });
  render(session.accept({ access_token: "…", token_type: "Bearer", expires_in: 300, scope: "read" }));
  render(await session.refresh());
  render(await session.logout());
  console.log(response.status);
  session.free();
}

// @ts-expect-error a misspelled option
new TokenSession({ authpath: "/auth" });
// @ts-expect-error a wrong option type: refreshMargin is a number of seconds
new TokenSession({ refreshMargin: "30s" });
// @ts-expect-error a wrong event name
session.addEventListener("refreshed", () => {});
// @ts-expect-error a wrong detail type: url is a string
session.addEventListener("replay", (event) => { const n: number = event.detail.url; return n; });
// @ts-expect-error not a refresh source
session.addEventListener("refresh", (event) => event.detail.source === "timer");
// @ts-expect-error the state is read-only
session.state = session.state;
