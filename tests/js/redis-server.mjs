// A real redis-server (Debian package, installed by scripts/setup.sh) for the RedisStore tests:
// bound to 127.0.0.1 on a free port, data in a fresh temp directory, append-only file fsynced on
// every write, so a kill -9 and a restart lose nothing that Redis acknowledged.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { freePort } from "./helpers.mjs";

export async function redisServer() {
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  const port = await freePort();
  let child = null;

  async function start() {
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"];
    child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Ready when it accepts a PING.
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await exited;
    throw new Error(`redis-server did not start: ${output}`);
  }

  async function stop(signal = "SIGKILL") {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One RESP PING over a raw socket: true when the server answers +PONG. */
async function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(String(d).startsWith("+PONG")));
  });
}
