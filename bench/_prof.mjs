import { Authority, generateKeyPair } from "tessera";
const { privateJwk } = generateKeyPair({ kid: "k" });
const ORIGIN = "https://app.example";
const authority = new Authority({ issuer: "https://auth.example", audience: "api", signingKeys: [privateJwk], allowedOrigins: [ORIGIN] });
const headers = { origin: ORIGIN, "tessera-request": "1" };
const cookieOf = (r) => r.headers.getSetCookie()[0].split(";")[0];
const cookies = [];
for (let i = 0; i < 50; i++) cookies.push(cookieOf(await authority.login(new Request("https://auth.example/auth/login", { method: "POST", headers }), { sub: "u" + i, scope: "read" })));
const N = +process.argv[2] || 20000;
const t = performance.now();
for (let i = 0; i < N; i++) {
  const k = i % 50;
  const r = await authority.handle(new Request("https://auth.example/auth/refresh", { method: "POST", headers: { ...headers, cookie: cookies[k] } }));
  if (r.status !== 200) throw new Error("status " + r.status);
  await r.json();
  cookies[k] = cookieOf(r);
}
console.log(((performance.now() - t) / N * 1000).toFixed(1), "µs per refresh");
