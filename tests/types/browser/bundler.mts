// tessera-auth/bundler: the same API as the browser root (compiled, never run).
import { TokenSession, Authority } from "tessera-auth/bundler";

const session = new TokenSession();
session.addEventListener("logout", (event) => console.log(event.detail.reason));
console.log(Authority.errorResponse(new Error("x")).status);

// @ts-expect-error a wrong option type: apiOrigins is a list
new TokenSession({ apiOrigins: "https://api.example" });
