// Interoperability with jose (the JS JOSE library): both directions, valid and tampered.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { Verifier } from "tessera-auth";
import { ISSUER, AUDIENCE, keyPair, signer, caught } from "./helpers.mjs";

const { privateJwk, publicJwk } = keyPair("interop");
const now = Math.floor(Date.now() / 1000);

test("tokens Tessera signs verify with jose's jwtVerify", async () => {
  const token = await signer(privateJwk).sign({ sub: "alice", client_id: "app", scope: "read" }, { expiresIn: 120 });
  const key = await jose.importJWK(publicJwk, "ES256");
  const { payload, protectedHeader } = await jose.jwtVerify(token, key, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["ES256"],
    typ: "at+jwt",
    requiredClaims: ["jti", "iat", "exp", "sub", "client_id"],
  });
  assert.equal(payload.sub, "alice");
  assert.equal(protectedHeader.kid, "interop");
  // A JWK Set lookup by kid works the same.
  const set = jose.createLocalJWKSet({ keys: [publicJwk] });
  assert.equal((await jose.jwtVerify(token, set)).payload.client_id, "app");
  // Tampered: jose rejects it too.
  const [h, , s] = token.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: "mallory", iss: ISSUER, aud: AUDIENCE, exp: now + 60 })).toString("base64url")}.${s}`;
  await assert.rejects(jose.jwtVerify(forged, key), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
});

test("tokens jose's SignJWT makes verify with Tessera; tampered ones do not", async () => {
  const key = await jose.importJWK(privateJwk, "ES256");
  const verifier = new Verifier({ jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, profile: "at+jwt" });
  const make = (claims = {}, header = {}) =>
    new jose.SignJWT({ client_id: "app", scope: "read write", ...claims })
      .setProtectedHeader({ alg: "ES256", kid: "interop", typ: "at+jwt", ...header })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject("bob")
      .setIssuedAt(now)
      .setJti("j-1")
      .setExpirationTime(now + 60)
      .sign(key);
  const token = await make();
  const claims = await verifier.verify(token, { requiredScopes: ["write"] });
  assert.equal(claims.sub, "bob");
  assert.deepEqual(verifier.verifySync(token), claims);
  // application/at+JWT is the same type (case-insensitive, optional prefix).
  assert.equal((await verifier.verify(await make({}, { typ: "application/AT+JWT" }))).sub, "bob");

  const [h, p, s] = token.split(".");
  const flip = (seg, i) => seg.slice(0, i) + (seg[i] === "A" ? "B" : "A") + seg.slice(i + 1);
  for (const forged of [`${h}.${p}.${flip(s, 5)}`, `${h}.${flip(p, 10)}.${s}`, `${flip(h, 3)}.${p}.${s}`]) {
    const error = await caught(() => verifier.verify(forged));
    assert.ok(["ERR_BAD_SIGNATURE", "ERR_MALFORMED"].includes(error.code), error.code);
  }
  // A jose token with the wrong typ or audience is refused with the right code.
  const plainJwt = await make({}, { typ: "JWT" });
  assert.equal((await caught(() => verifier.verify(plainJwt))).code, "ERR_BAD_TYPE");
  const other = await new jose.SignJWT({ client_id: "app" }).setProtectedHeader({ alg: "ES256", kid: "interop", typ: "at+jwt" })
    .setIssuer(ISSUER).setAudience("https://elsewhere.example").setSubject("bob").setIssuedAt(now).setJti("j").setExpirationTime(now + 60).sign(key);
  assert.equal((await caught(() => verifier.verify(other))).code, "ERR_BAD_AUDIENCE");
});
