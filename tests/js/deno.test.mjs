// Runs tests/deno/smoke.test.mjs in Deno (the npm package "deno"), through the package's
// "deno" export condition.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("deno: sign and verify with the authority build, verify with the verify build", () => {
  const out = execFileSync(`${root}/node_modules/.bin/deno`, ["run", "--allow-read", "tests/deno/smoke.test.mjs"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  const result = JSON.parse(out.trim().split("\n").at(-1));
  assert.equal(result.ok, true);
  assert.match(result.resolved, /pkg\/authority\/web\.js$/);
  assert.match(result.verify, /pkg\/verify\/web\.js$/);
});
