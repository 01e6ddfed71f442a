// DPoP proof creation in Debian Chromium (issue 17's target: ≤ 1 ms median): the session build's own
// proof code (pkg/src/dpop-key.js, bundled into tessera-auth/session) with a non-extractable key from
// IndexedDB, each proof awaited on its own as `session.fetch` makes them (a fresh `jti`, `ath` of a
// token, a nonce). Runs on its own (`node bench/dpop-browser.mjs [count]`) or from bench/run.mjs.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** `{ median, p90, count }` of proof creation times (ms) in one Chromium page. */
export async function measureProofs(count = 1000) {
  const server = createServer(async (req, res) => {
    const path = req.url === "/" ? null : req.url.slice(1);
    if (path === null) {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><title>dpop bench</title>");
    }
    try {
      if (!path.startsWith("pkg/src/") || path.includes("..")) throw new Error("not served");
      res.writeHead(200, { "content-type": "text/javascript" });
      res.end(await readFile(`${root}/${path}`));
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    return await page.evaluate(async (count) => {
      const { loadKey, proof } = await import("/pkg/src/dpop-key.js");
      const key = await loadKey("bench", true);
      const token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln";
      for (let i = 0; i < 50; i++) await proof(key, "GET", "https://api.example/data?x=1", 1_800_000_000, "nonce-1", token);
      const times = [];
      for (let i = 0; i < count; i++) {
        const start = performance.now();
        await proof(key, "GET", "https://api.example/data?x=1", 1_800_000_000, "nonce-1", `${token}${i % 7}`);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { median: times[Math.floor(count / 2)], p90: times[Math.floor(count * 0.9)], count };
    }, count);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { median, p90, count } = await measureProofs(Number(process.argv[2] ?? 1000));
  console.log(`DPoP proof creation in Chromium: median ${median.toFixed(3)} ms, p90 ${p90.toFixed(3)} ms (${count} proofs; target ≤ 1 ms median)`);
}
