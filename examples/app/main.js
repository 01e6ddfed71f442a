// The tiny app every bundler example builds (examples/<bundler>/ adds its configuration): a page
// that holds a TokenSession and verifies a token with the verify build, as an app would. Its
// server provides /jwks.json (the issuer's public keys) and /token.txt (a token to check).
import { TokenSession } from "tessera-auth/session";
import { Verifier, TesseraError } from "tessera-auth/verify";

const session = new TokenSession({ authPath: "/auth" });
const verifier = new Verifier({
  jwksUrl: new URL("/jwks.json", location.href).href,
  issuer: "https://auth.example",
  audience: "https://api.example",
});

const output = document.querySelector("output");
try {
  const token = await (await fetch("/token.txt")).text();
  const claims = await verifier.verify(token);
  const forged = await verifier.verify(`${token.slice(0, -8)}AAAAAAAA`).catch((error) => error);
  output.textContent = `${claims.sub} ${session.state.status} ${forged instanceof TesseraError ? forged.code : "accepted"}`;
} catch (error) {
  output.textContent = `failed: ${error instanceof TesseraError ? error.code : error}`;
}
