// ES256 in the wasm build once its precomputed tables are in use: a key's first verifications
// run the path without tables and the first signatures p256's signer, later ones the tables (crates/curves/src/weierstrass/precomputed.rs:
// built a slice per call, in use after about 60 calls). Both directions with jose and node:crypto,
// past that point, with tampered tokens refused throughout.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import * as jose from "jose";
import { Verifier } from "tessera-auth";
import { ISSUER, AUDIENCE, keyPair, signer } from "./helpers.mjs";

// The Node entry signs with node:crypto; remove that signer so these signatures come from the
// wasm build's own (table-based) signer. Signers made from here on sign in Rust.
const { createRequire } = await import("node:module");
createRequire(import.meta.url)("tessera-auth").__setNativeSigner(null);

const ROUNDS = 150;

const tamper = (token, i) => {
  const [h, p, s] = token.split(".");
  const sig = Buffer.from(s, "base64url");
  sig[i % 64] ^= 1 << (i % 8);
  return `${h}.${p}.${sig.toString("base64url")}`;
};

test("Tessera's signatures verify with jose and node:crypto before and after the tables", async () => {
  const { privateJwk, publicJwk } = keyPair("tables-sign");
  const tessera = signer(privateJwk);
  const key = await jose.importJWK(publicJwk, "ES256");
  const nodeKey = crypto.createPublicKey({ key: publicJwk, format: "jwk" });
  for (let i = 0; i < ROUNDS; i++) {
    const token = tessera.signSync({ sub: `user-${i}`, client_id: "app" }, { expiresIn: 120 });
    const { payload } = await jose.jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["ES256"] });
    assert.equal(payload.sub, `user-${i}`);
    const [h, p, s] = token.split(".");
    const ok = crypto.verify("sha256", Buffer.from(`${h}.${p}`), { key: nodeKey, dsaEncoding: "ieee-p1363" }, Buffer.from(s, "base64url"));
    assert.ok(ok, `signature ${i}`);
  }
});

test("jose's tokens verify with Tessera before and after the tables; tampered ones never do", async () => {
  const { privateJwk, publicJwk } = keyPair("tables-verify");
  const key = await jose.importJWK(privateJwk, "ES256");
  const tokens = [];
  for (let i = 0; i < ROUNDS; i++) {
    tokens.push(
      await new jose.SignJWT({ client_id: "app", n: i })
        .setProtectedHeader({ alg: "ES256", kid: "tables-verify", typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(`bob-${i}`)
        .setIssuedAt()
        .setJti(`jti-${i}`)
        .setExpirationTime("2m")
        .sign(key),
    );
  }
  for (let i = 0; i < ROUNDS; i++) {
    // A fresh Verifier each time, as a new request or a refetched JWK Set would make: the key's
    // tables are found again by its point.
    const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, profile: "at+jwt" });
    assert.equal(verifier.verifySync(tokens[i]).n, i);
    assert.throws(() => verifier.verifySync(tamper(tokens[i], i)), { code: "ERR_BAD_SIGNATURE" });
    // Another token's signature on this token's claims.
    const [h, p] = tokens[i].split(".");
    const other = tokens[(i + 1) % ROUNDS].split(".")[2];
    assert.throws(() => verifier.verifySync(`${h}.${p}.${other}`), { code: "ERR_BAD_SIGNATURE" });
  }
});
