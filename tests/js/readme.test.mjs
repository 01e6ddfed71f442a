// The README's Node quick start, run exactly as written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function snippet(heading) {
  const readme = readFileSync(`${root}/README.md`, "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const match = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(match, `no js block after ${heading}`);
  return match[1];
}

test("README: the Node quick start runs and verifies its token", () => {
  const file = `${root}/tests/js/.readme-node.mjs`;
  writeFileSync(file, `${snippet("### Node (20+)")}\nif (claims.sub !== "user-1" || same.jti !== claims.jti) throw new Error("README snippet broke");\nconsole.log("ok");\n`);
  try {
    assert.equal(execFileSync(process.execPath, [file], { encoding: "utf8" }).trim(), "ok");
  } finally {
    rmSync(file, { force: true });
  }
});

test("README: the Cloudflare Workers quick start runs in workerd", async () => {
  const { workerd } = await import("./helpers.mjs");
  const { generateKeyPair, Signer } = await import("tessera");
  const { createServer } = await import("node:http");
  const { privateJwk, publicJwk } = generateKeyPair({ kid: "readme" });
  const server = createServer((req, res) => res.end(JSON.stringify({ keys: [publicJwk] })));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Workers resolve "tessera" through a bundler; here the same code imports the workerd entry directly.
  const file = `${root}/tests/js/worker/.readme-worker.js`;
  writeFileSync(file, snippet("### Cloudflare Workers (workerd)").replace('from "tessera"', 'from "../../../pkg/workerd.js"'));
  const mf = await workerd(new URL(`file://${file}`), {
    bindings: { JWKS_URL: `http://127.0.0.1:${server.address().port}/jwks.json`, ISSUER: "https://auth.example", AUDIENCE: "app" },
  });
  try {
    const token = new Signer({ privateJwk, issuer: "https://auth.example", audience: "app" }).signSync({ sub: "reader" });
    const ok = await mf.dispatchFetch("http://localhost/", { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await ok.json(), { hello: "reader" });
    const bad = await mf.dispatchFetch("http://localhost/", { headers: { authorization: "Bearer nope" } });
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).code, "ERR_MALFORMED");
  } finally {
    await mf.dispose();
    server.close();
    rmSync(file, { force: true });
  }
});
