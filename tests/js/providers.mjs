// Identity providers as they publish their keys and issue their tokens, generated here (no
// network): the JWK Set members and key ids, the issuer and audience forms and the claims each
// documents. readme.test.mjs runs each README snippet of "Verifying tokens from your identity
// provider" against its provider with `checkProvider`.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as jose from "jose";

const now = () => Math.floor(Date.now() / 1000);
/** A certificate-shaped member (standard base64, as x5c is): carried in the set, never used. */
const x5c = () => [Buffer.concat([Buffer.from([0x30, 0x82]), randomBytes(700)]).toString("base64")];
const hex = (n) => randomBytes(n).toString("hex");
const b64u = (n) => randomBytes(n).toString("base64url");

const TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
const ENTRA_CLIENT = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

/**
 * Per README heading: the keys' published members beyond n/e (`member(kid)`), the kid form, the
 * other keys of the set, the URL the key set would come from, claims of a good token, and a
 * change each of the wrong-audience (or wrong-client) and wrong-issuer cases makes.
 */
export const PROVIDERS = {
  Auth0: {
    kid: () => b64u(24),
    member: (kid) => ({ alg: "RS256", use: "sig", kid, x5t: b64u(20), x5c: x5c() }),
    jwksUri: "https://example-tenant.us.auth0.com/.well-known/jwks.json",
    claims: (t) => ({
      iss: "https://example-tenant.us.auth0.com/",
      sub: "auth0|64f1c2a9e8b7d6c5b4a39281",
      aud: ["https://api.example.com", "https://example-tenant.us.auth0.com/userinfo"],
      azp: "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345",
      scope: "openid profile read:messages",
      iat: t,
      exp: t + 86400,
    }),
    verify: { requiredScopes: ["read:messages"] },
    wrongAudience: { aud: "https://other-api.example.com" },
    wrongIssuer: { iss: "https://example-tenant.us.auth0.com" },
  },
  "Microsoft Entra ID": {
    kid: () => b64u(20),
    // Entra's keys have no alg (the snippet's algorithms says RS256), and carry issuer members.
    member: (kid) => ({ use: "sig", kid, x5t: kid, x5c: x5c(), cloud_instance_name: "microsoftonline.com", issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" }),
    jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
    claims: (t) => ({
      aud: ENTRA_CLIENT,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      iat: t,
      nbf: t,
      exp: t + 3600,
      aio: b64u(40),
      azp: "0f4a1c2b-3d4e-5f60-7182-93a4b5c6d7e8",
      azpacr: "0",
      name: "Ada Lovelace",
      oid: "00000000-0000-0000-66f3-3332eca7ea81",
      preferred_username: "ada@contoso.example",
      rh: "0.AAAA",
      scp: "access_as_user User.Read",
      sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
      tid: TENANT,
      uti: b64u(16),
      ver: "2.0",
    }),
    verify: { requiredScopes: ["access_as_user"] },
    wrongAudience: { aud: "00000003-0000-0000-c000-000000000000" },
    wrongIssuer: { iss: `https://sts.windows.net/${TENANT}/` },
    // A token of another tenant (signed with the same keys, as Entra's common keys are shared).
    extra: [[{ tid: "72f988bf-86f1-41af-91ab-2d7cd011db47" }, "ERR_BAD_CLAIM", "tid"], [{ ver: "1.0" }, "ERR_BAD_CLAIM", "ver"]],
  },
  "Amazon Cognito": {
    kid: () => `${b64u(32)}=`,
    member: (kid) => ({ alg: "RS256", use: "sig", kid }),
    jwksUri: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1/.well-known/jwks.json",
    // An access token: no aud; client_id and token_use say what it is.
    claims: (t) => ({
      sub: "aaaaaaaa-bbbb-cccc-dddd-example",
      iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
      client_id: "1example23456789",
      origin_jti: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      event_id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      auth_time: t,
      exp: t + 3600,
      iat: t,
      jti: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      username: "ada",
    }),
    verify: {},
    // Wrong client: another app client of the pool.
    wrongAudience: { client_id: "9another87654321" },
    wrongAudienceCode: ["ERR_BAD_CLAIM", "client_id"],
    wrongIssuer: { iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other2" },
    // An ID token of the same pool carries aud and token_use "id": not an access token.
    extra: [[{ token_use: "id" }, "ERR_BAD_CLAIM", "token_use"], [{ aud: "1example23456789" }, "ERR_BAD_AUDIENCE", "aud"]],
  },
  Google: {
    kid: () => hex(20),
    member: (kid) => ({ alg: "RS256", use: "sig", kid }),
    jwksUri: "https://www.googleapis.com/oauth2/v3/certs",
    claims: (t) => ({
      iss: "https://accounts.google.com",
      azp: "1234987819200.apps.googleusercontent.com",
      aud: "1234987819200.apps.googleusercontent.com",
      sub: "10769150350006150715113082367",
      at_hash: b64u(16),
      hd: "example.com",
      email: "jsmith@example.com",
      email_verified: true,
      iat: t,
      exp: t + 3600,
      nonce: "0394852-3190485-2490358",
    }),
    verify: {},
    wrongAudience: { aud: "9999987819200.apps.googleusercontent.com" },
    wrongIssuer: { iss: "https://accounts.google.example" },
    // Google's other issuer form is accepted; another authorized party is not.
    accepted: [{ iss: "accounts.google.com" }],
    extra: [[{ azp: "5555587819200.apps.googleusercontent.com" }, "ERR_BAD_CLAIM", "azp"]],
  },
  Firebase: {
    kid: () => hex(20),
    member: (kid) => ({ alg: "RS256", use: "sig", kid }),
    jwksUri: "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
    claims: (t) => ({
      iss: "https://securetoken.google.com/example-project",
      aud: "example-project",
      auth_time: t - 60,
      user_id: "kX3pQ7bYz1Vw9RmN2cL5tH8jF4d6",
      sub: "kX3pQ7bYz1Vw9RmN2cL5tH8jF4d6",
      iat: t,
      exp: t + 3600,
      email: "ada@example.com",
      email_verified: false,
      firebase: { identities: { email: ["ada@example.com"] }, sign_in_provider: "password" },
    }),
    verify: {},
    wrongAudience: { aud: "other-project" },
    wrongIssuer: { iss: "https://securetoken.google.com/other-project" },
  },
  Okta: {
    kid: () => b64u(32),
    member: (kid) => ({ alg: "RS256", use: "sig", kid }),
    jwksUri: "https://example.okta.com/oauth2/default/v1/keys",
    claims: (t) => ({
      ver: 1,
      jti: `AT.${b64u(32)}`,
      iss: "https://example.okta.com/oauth2/default",
      aud: "api://default",
      iat: t,
      exp: t + 3600,
      cid: "0oa1example2client3",
      uid: "00u1example2user3",
      scp: ["openid", "email"],
      auth_time: t,
      sub: "ada@example.com",
    }),
    verify: { requiredScopes: ["email"] },
    wrongAudience: { aud: "api://other" },
    wrongIssuer: { iss: "https://example.okta.com" },
    extra: [[{ cid: "0oa9another8client" }, "ERR_BAD_CLAIM", "cid"]],
  },
  Keycloak: {
    kid: () => b64u(32),
    member: (kid) => ({ alg: "RS256", use: "sig", kid, x5c: x5c(), x5t: b64u(20), "x5t#S256": b64u(32) }),
    // Keycloak publishes its encryption key beside the signing key.
    others: async () => {
      const { publicKey } = await jose.generateKeyPair("RSA-OAEP", { extractable: true });
      return [{ ...(await jose.exportJWK(publicKey)), kid: b64u(32), use: "enc", alg: "RSA-OAEP", x5c: x5c(), x5t: b64u(20), "x5t#S256": b64u(32) }];
    },
    jwksUri: "https://sso.example.com/realms/demo/protocol/openid-connect/certs",
    claims: (t) => ({
      exp: t + 300,
      iat: t,
      jti: "onrtac:1c2b3a4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d",
      iss: "https://sso.example.com/realms/demo",
      aud: "account",
      sub: "f1e2d3c4-b5a6-4789-8abc-def012345678",
      typ: "Bearer",
      azp: "demo-app",
      sid: "a1b2c3d4-e5f6-4789-8abc-def012345678",
      acr: "1",
      realm_access: { roles: ["default-roles-demo", "offline_access"] },
      scope: "openid email profile",
      email_verified: true,
      preferred_username: "ada",
    }),
    verify: {},
    wrongAudience: { aud: "realm-management" },
    wrongIssuer: { iss: "https://sso.example.com/realms/other" },
    extra: [[{ azp: "other-app" }, "ERR_BAD_CLAIM", "azp"], [{ typ: "ID" }, "ERR_BAD_CLAIM", "typ"]],
  },
};

async function rsaKey(provider) {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  const kid = provider.kid();
  const { kty, n, e } = await jose.exportJWK(publicKey);
  return { privateKey, kid, jwk: { kty, n, e, ...provider.member(kid) } };
}

/** Errors as `[code, claim]`. */
function outcome(run) {
  try {
    run();
    return "ok";
  } catch (error) {
    return [error.code, error.claim];
  }
}

/**
 * Loads `name`'s key set (two keys, the first current) into `verifier` through importState, as a
 * fetch of its key set URL would, then checks that a good token verifies and that a wrong
 * audience (or client), a wrong issuer, an expired token and a rotated key are refused with their
 * codes.
 */
export async function checkProvider(name, verifier) {
  const provider = PROVIDERS[name];
  const [current, next] = [await rsaKey(provider), await rsaKey(provider)];
  const others = (await provider.others?.()) ?? [];
  const state = verifier.exportState();
  verifier.importState({ ...state, url: state.url || provider.jwksUri, fetchedAt: now(), jwks: { keys: [...others, current.jwk, next.jwk] } });
  const t = now();
  const sign = (key, changes = {}, kid = key.kid) =>
    new jose.SignJWT({ ...provider.claims(t), ...changes }).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key.privateKey);
  const verify = (token) => outcome(() => verifier.verifySync(token, provider.verify));

  assert.equal(verify(await sign(current)), "ok", `${name}: a good token`);
  assert.equal(verify(await sign(next)), "ok", `${name}: the other published key`);
  for (const changes of provider.accepted ?? []) assert.equal(verify(await sign(current, changes)), "ok", `${name}: ${JSON.stringify(changes)}`);
  assert.deepEqual(verify(await sign(current, provider.wrongAudience)), provider.wrongAudienceCode ?? ["ERR_BAD_AUDIENCE", "aud"], `${name}: wrong audience`);
  assert.deepEqual(verify(await sign(current, provider.wrongIssuer)), ["ERR_BAD_ISSUER", "iss"], `${name}: wrong issuer`);
  assert.deepEqual(verify(await sign(current, { exp: t - 1 })), ["ERR_EXPIRED", "exp"], `${name}: expired`);
  for (const [changes, code, claim] of provider.extra ?? []) {
    assert.deepEqual(verify(await sign(current, changes)), [code, claim], `${name}: ${JSON.stringify(changes)}`);
  }
  // Rotation: a key the set does not have yet is refused (a remote set refetches for it), and a
  // token under a published kid but signed by another key fails its signature.
  const rotated = await rsaKey(provider);
  assert.deepEqual(verify(await sign(rotated)), ["ERR_NO_MATCHING_KEY", undefined], `${name}: rotated key`);
  assert.deepEqual(verify(await sign(rotated, {}, current.kid)), ["ERR_BAD_SIGNATURE", undefined], `${name}: forged under a published kid`);
  // The encryption key is not in the set: a token naming it finds no key.
  for (const other of others) assert.deepEqual(verify(await sign(current, {}, other.kid)), ["ERR_NO_MATCHING_KEY", undefined], `${name}: enc key`);
}
