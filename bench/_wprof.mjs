import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { writeFileSync } from "node:fs";
import { workerdOptions } from "../scripts/workerd.mjs";
import { generateKeyPair } from "tessera";
const { privateJwk } = generateKeyPair({ kid: "k" });
const ORIGIN = "https://app.example";
const mf = new Miniflare(workerdOptions(new URL("./worker-authority.js", import.meta.url), {
  port: 0, inspectorPort: 9231,
  bindings: { ISSUER: "https://auth.example", AUDIENCE: "api", ORIGIN, PRIVATE_JWK: JSON.stringify(privateJwk), STORE: process.argv[2] ?? "memory", REFRESH_SECRET: "x".repeat(43) },
}));
const base = (await mf.ready).toString().replace(/\/$/, "");
const list = await (await fetch("http://127.0.0.1:9231/json/list")).json();
console.error(list.map((t) => t.title + " " + t.webSocketDebuggerUrl));
const ws = new WebSocket(list.find((t) => !/internal/.test(t.title))?.webSocketDebuggerUrl ?? list[0].webSocketDebuggerUrl);
await new Promise((r) => ws.once("open", r));
let id = 0; const pending = new Map();
ws.on("message", (m) => { const msg = JSON.parse(m); if (pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); } });
const send = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
const headers = { origin: ORIGIN, "tessera-request": "1", "content-type": "application/json" };
const cookies = [];
for (let i = 0; i < 50; i++) { const r = await fetch(base + "/auth/login", { method: "POST", headers, body: JSON.stringify({ username: "u" + i }) }); cookies.push(r.headers.getSetCookie()[0].split(";")[0]); await r.arrayBuffer(); }
const run = async (n) => { let next = 0; await Promise.all(Array.from({ length: 8 }, async (_, w) => { while (next < n) { next++; const k = (w + 8 * (next % 6)) % 50;
  const r = await fetch(base + "/auth/refresh", { method: "POST", headers: { ...headers, cookie: cookies[k] } }); if (r.status !== 200) throw new Error("status " + r.status); cookies[k] = r.headers.getSetCookie()[0].split(";")[0]; await r.arrayBuffer(); } })); };
await run(500);
await send("Profiler.enable"); await send("Profiler.setSamplingInterval", { interval: 100 }); await send("Profiler.start");
const t = performance.now(); await run(3000); console.error("rate", (3000 / ((performance.now() - t) / 1000)).toFixed(0));
const { result } = await send("Profiler.stop");
writeFileSync("/tmp/worker.cpuprofile", JSON.stringify(result.profile));
ws.close(); await mf.dispose();
