// CPU profile of the bench's Authority worker (bench/worker-authority.js) in workerd, taken through
// workerd's inspector while Node drives refreshes over loopback HTTP (8 in flight, as the bench).
//
//   node bench/profile-worker.mjs [memory|durable-object] [refreshes]
//
// Writes bench/worker.cpuprofile (open it in Chrome DevTools → Performance, or any .cpuprofile
// viewer; not committed) and prints the functions with the most self time. wasm functions show as
// wasm-function[N]: N indexes the module's function names, which the shipped build drops (its
// wasm-opt runs without -g); bench/profile-sizes.mjs leaves a build with names
// (tessera_authority_named.wasm, same wasm-opt passes with names kept) in its output directory, to
// look N up in. Sampling every 100 µs slows the worker; read the shares, not the rate.
import { writeFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { workerdOptions } from "../scripts/workerd.mjs";
import { freePort } from "./lib.mjs";
import { generateKeyPair } from "tessera-auth/authority";

const store = process.argv[2] ?? "memory";
const refreshes = Number(process.argv[3] ?? 3000);
const ORIGIN = "https://app.example";
const headers = { origin: ORIGIN, "tessera-request": "1", "content-type": "application/json" };
const cookieOf = (response) => response.headers.getSetCookie()[0].split(";")[0];

const inspectorPort = await freePort();
const mf = new Miniflare(
  workerdOptions(new URL("./worker-authority.js", import.meta.url), {
    port: 0,
    inspectorPort,
    bindings: {
      ISSUER: "https://auth.example",
      AUDIENCE: "api",
      ORIGIN,
      PRIVATE_JWK: JSON.stringify(generateKeyPair({ kid: "profile" }).privateJwk),
      STORE: store,
      REFRESH_SECRET: "profile-only-refresh-secret-of-enough-bytes",
    },
  }),
);
try {
  const base = (await mf.ready).toString().replace(/\/$/, "");
  // The user worker's target is "core:user:<name>"; the others are Miniflare's own.
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl.includes("/core:user:"));
  if (!target) throw new Error(`no user worker among the inspector's targets: ${targets.map((t) => t.title).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let nextId = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(data);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      pending.set(++nextId, resolve);
      ws.send(JSON.stringify({ id: nextId, method, params }));
    });

  const cookies = [];
  for (let i = 0; i < 50; i++) {
    const response = await fetch(`${base}/auth/login`, { method: "POST", headers, body: JSON.stringify({ username: `user${i}` }) });
    cookies.push(cookieOf(response));
    await response.arrayBuffer();
  }
  // 8 workers, each with its own sessions (so a session is never in two requests at once).
  const drive = async (count) => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let round = 0; sent < count; round++) {
          sent += 1;
          const k = worker + 8 * (round % 6);
          const response = await fetch(`${base}/auth/refresh`, { method: "POST", headers: { ...headers, cookie: cookies[k] } });
          if (response.status !== 200) throw new Error(`refresh: status ${response.status}`);
          cookies[k] = cookieOf(response);
          await response.arrayBuffer();
        }
      }),
    );
  };
  await drive(500); // warm-up, not profiled
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 100 });
  await send("Profiler.start");
  await drive(refreshes);
  const { result } = await send("Profiler.stop");
  ws.close();

  const out = new URL("./worker.cpuprofile", import.meta.url);
  writeFileSync(out, JSON.stringify(result.profile));
  const { nodes, samples, timeDeltas } = result.profile;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const self = new Map();
  samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber}`;
    self.set(name, (self.get(name) ?? 0) + (timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${refreshes} refreshes (${store} store), ${(total / 1000).toFixed(0)} ms sampled; wrote ${out.pathname}`);
  for (const [name, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
} finally {
  await mf.dispose();
}
