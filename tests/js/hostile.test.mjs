// Values that fight back: throwing getters, Proxies whose every trap throws, and objects nested
// 10,000 deep, handed to every API that takes an object. Each must fail with a coded
// TesseraError (rejected, for the async APIs), never throw through WebAssembly frames: afterwards
// the shadow-stack pointer is where it started and normal use still works. (Before, 830 throwing
// option objects left every call of every object failing with "memory access out of bounds".)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as root from "tessera-auth";
import * as verify from "tessera-auth/verify";
import { CSRF, cookieOf } from "./authority-shared.mjs";

const require = createRequire(import.meta.url);
const authorityStack = require("tessera-auth").__stackPointer;
const verifyStack = require("tessera-auth/verify").__stackPointer;

const ISSUER = "https://auth.example";
const ROUNDS = 700; // per API and kind: ≥ 10,000 of each kind over all the APIs

function throwingGetter() {
  return {
    get issuer() {
      throw new Error("getter");
    },
    get sub() {
      throw new Error("getter");
    },
    get keys() {
      throw new Error("getter");
    },
    toJSON() {
      throw new Error("toJSON");
    },
  };
}

function throwingProxy() {
  const trap = () => {
    throw new Error("trap");
  };
  return new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
}

function deep(depth = 10_000) {
  const top = {};
  let node = top;
  for (let i = 0; i < depth; i++) node = node.a = {};
  return top;
}

const KINDS = [
  ["a throwing getter", throwingGetter, ROUNDS],
  ["a throwing Proxy", throwingProxy, ROUNDS],
  ["a 10,000-deep object", deep, 3],
];

/** Calls `call(hostile)` for each kind; each must throw or reject a TesseraError (any code). */
async function survives(name, call) {
  for (const [kind, make, rounds] of KINDS) {
    const hostile = make();
    for (let i = 0; i < rounds; i++) {
      let outcome;
      try {
        outcome = await call(hostile);
      } catch (error) {
        assert.ok(error instanceof root.TesseraError, `${name} with ${kind}: ${error?.stack ?? error}`);
        assert.match(error.code, /^ERR_[A-Z_]+$/);
        continue;
      }
      // Some APIs answer with an HTTP response instead of throwing (login, a failing store).
      assert.ok(outcome instanceof Response, `${name} with ${kind} neither failed nor answered: ${outcome}`);
      assert.ok(outcome.status >= 400, `${name} with ${kind}: ${outcome.status}`);
    }
  }
}

test("no hostile value throws through WebAssembly frames: every API answers with a coded error, and everything still works", async () => {
  const uncaught = [];
  const onUncaught = (error) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  const stack = [authorityStack(), verifyStack()];
  try {
    const { privateJwk, publicJwk } = root.generateKeyPair({ kid: "h" });
    const jwks = { keys: [publicJwk] };
    const signer = new root.Signer({ privateJwk, issuer: ISSUER, audience: "api" });
    const token = signer.signSync({ sub: "alice" });
    const verifier = new root.Verifier({ jwks, issuer: ISSUER, audience: "api" });
    const light = new verify.Verifier({ jwks, issuer: ISSUER, audience: "api" });
    const remote = new verify.Verifier({ jwksUrl: "https://issuer.example/jwks" });
    const store = new root.MemoryStore();
    const authority = new root.Authority({ issuer: ISSUER, audience: "api", signingKeys: [privateJwk], allowedOrigins: [CSRF.origin], store, refreshSecret: "A".repeat(43) });
    const request = () => new Request(`${ISSUER}/auth/refresh`, { method: "POST", headers: CSRF });

    const apis = [
      ["new Verifier", (x) => new root.Verifier(x)],
      ["new Verifier (verify build)", (x) => new verify.Verifier(x)],
      ["new Verifier({ jwks })", (x) => new verify.Verifier({ jwks: x })],
      ["verifySync options", (x) => verifier.verifySync(token, x)],
      ["verify options", (x) => verifier.verify(token, x)],
      ["verify options (verify build)", (x) => light.verify(token, x)],
      ["verify token", (x) => light.verifySync(x)],
      ["importState", (x) => remote.importState(x)],
      ["redact options", (x) => verify.redact("text", x)],
      ["new Signer", (x) => new root.Signer(x)],
      ["new Signer({ privateJwk })", (x) => new root.Signer({ privateJwk: x })],
      ["signSync claims", (x) => signer.signSync(x)],
      ["sign claims", (x) => signer.sign(x)],
      ["sign options", (x) => signer.sign({ sub: "a" }, x)],
      ["generateKeyPair", (x) => root.generateKeyPair(x)],
      ["new Authority", (x) => new root.Authority(x)],
      ["new Authority({ store })", (x) => new root.Authority({ issuer: ISSUER, audience: "api", signingKeys: [privateJwk], allowedOrigins: [CSRF.origin], refreshSecret: "A".repeat(43), store: x })],
      ["login options", (x) => authority.login(request(), x)],
      ["login claims", (x) => authority.login(request(), { sub: "alice", claims: x })],
      ["login request", (x) => authority.login(x, { sub: "alice" })],
      ["refresh request", (x) => authority.refresh(x)],
      ["handle request", (x) => authority.handle(x)],
      ["authority.verify options", (x) => authority.verify(token, x)],
      ["revokeSubject", (x) => authority.revokeSubject(x)],
      ["MemoryStore put", (x) => store.put("k", x, null, 60)],
      ["errorResponse", (x) => Promise.resolve(root.Authority.errorResponse(x))],
    ];
    for (const [name, call] of apis) await survives(name, call);

    // A custom store that hands back hostile records: each operation answers 503, nothing thrown.
    for (const [kind, make] of KINDS) {
      const hostileStore = { get: async () => make(), put: async () => true };
      const a = new root.Authority({ issuer: ISSUER, audience: "api", signingKeys: [privateJwk], allowedOrigins: [CSRF.origin], refreshSecret: "A".repeat(43), store: hostileStore });
      const login = await a.login(new Request(`${ISSUER}/auth/login`, { method: "POST", headers: CSRF }), { sub: "alice" });
      assert.equal(login.status, 503, kind);
      assert.equal((await login.json()).code, "ERR_STORE_UNAVAILABLE");
      await assert.rejects(a.verify(await (async () => token)()), { code: /^ERR_/ });
    }

    // Normal use afterwards: verify, sign, login, refresh — and the stack pointer is back.
    assert.equal(verifier.verifySync(token).sub, "alice");
    assert.equal((await light.verify(token)).sub, "alice");
    assert.equal(light.verifySync(await signer.sign({ sub: "bob" })).sub, "bob");
    const login = await authority.login(new Request(`${ISSUER}/auth/login`, { method: "POST", headers: CSRF }), { sub: "carol" });
    assert.equal(login.status, 200);
    const refreshed = await authority.refresh(new Request(`${ISSUER}/auth/refresh`, { method: "POST", headers: { ...CSRF, cookie: cookieOf(login) } }));
    assert.equal(refreshed.status, 200);
    assert.equal((await authority.verify((await refreshed.json()).access_token)).sub, "carol");
    assert.deepEqual([authorityStack(), verifyStack()], stack, "the shadow-stack pointer is where it started");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(uncaught, [], "nothing escaped as an uncaught exception");
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
});
