// Starts the demo worker in workerd (Miniflare) on http://127.0.0.1:8787; Ctrl-C stops it.
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

export function demoWorker(port = 8787) {
  return new Miniflare({
    modules: true,
    scriptPath: fileURLToPath(new URL("./worker.js", import.meta.url)),
    modulesRoot: fileURLToPath(new URL("..", import.meta.url)),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "Text", include: ["**/*.html"] },
    ],
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mf = demoWorker(Number(process.env.PORT ?? 8787));
  const url = await mf.ready;
  console.log(`Tessera demo running at ${url.href.replace("localhost", "127.0.0.1")}  (Ctrl-C to stop)`);
  const stop = async () => {
    await mf.dispose();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
