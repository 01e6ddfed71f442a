//! Writes the seed corpus into `fuzz/seeds/<target>/`: real tokens and JWKs, option objects and
//! texts, requests, records and session inputs, a handful of small files per target
//! (`session_sequence` takes structured bytes and starts from an empty corpus). Run from `fuzz/`: `cargo run --example gen_seeds`.
//! The files are committed; rerun only to change them (signatures are deterministic, RFC 6979).

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

#[path = "../common/mod.rs"]
mod common;

/// RFC 7515 Appendix A.3: ES256 with the same P-256 key as the fixtures.
const RFC7515_A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
/// RFC 7515 Appendix A.2: RS256 with the RSA key of the mixed fixture set (no kid: the key
/// without alg, chosen by an algorithms list naming RS256).
const RFC7515_A2: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
/// RFC 8037 Appendix A.4: EdDSA with the Ed25519 key of the mixed fixture set.
const RFC8037_A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    if let Err(e) = fs::create_dir_all(&dir).and_then(|()| fs::write(dir.join(name), bytes)) {
        panic!("writing seed {target}/{name}: {e}");
    }
}

/// `HEADER 0xFF PAYLOAD 0xFF SELECTORS`, the structured input of the token target.
fn structured(header: &Value, payload: &Value, selectors: &[u8]) -> Vec<u8> {
    let mut out = header.to_string().into_bytes();
    out.push(0xFF);
    out.extend(payload.to_string().into_bytes());
    out.push(0xFF);
    out.extend_from_slice(selectors);
    out
}

fn main() {
    let now = common::NOW_SECS;
    let claims = Value::Object(common::claims());

    // The seeds must reach the accepting paths: check the two real tokens verify.
    let validation = &common::validations()[0];
    if let Err(e) = tessera::jose::jwt::verify(common::valid_token(), common::key_set(), validation, common::now(), &common::scopes(2)) {
        panic!("fixture token does not verify: {e}");
    }
    if let Err(e) = tessera::jose::jws::verify_compact(RFC7515_A3, common::key_set(), Some(&[tessera::jose::jwa::Algorithm::Es256])) {
        panic!("RFC 7515 A.3 token does not verify: {e}");
    }
    // The RSA and Ed25519 examples verify through the mixed set (RS256 chosen by the list; the
    // Ed25519 token has no kid, and two keys hold the same Ed25519 point: ambiguous on purpose,
    // so the seed with a kid reaches the signature).
    if let Err(e) = tessera::jose::jws::verify_compact(RFC7515_A2, common::mixed_key_set(), Some(&[tessera::jose::jwa::Algorithm::Rs256])) {
        panic!("RFC 7515 A.2 token does not verify: {e}");
    }

    // token: raw tokens
    write("token", "raw_valid_at_jwt", common::valid_token().as_bytes());
    // RFC 7515 Appendix A.3 (the same key), CRLF inside its payload.
    write("token", "raw_rfc7515_a3", RFC7515_A3.as_bytes());
    write("token", "raw_rfc7515_a2_rs256", RFC7515_A2.as_bytes());
    write("token", "raw_rfc8037_a4_eddsa", RFC8037_A4.as_bytes());
    // The A.4 signature under a header naming the "ed" key (signature then fails: another header).
    let mut ed_kid = RFC8037_A4.splitn(2, '.');
    let _ = ed_kid.next();
    write("token", "raw_eddsa_kid", format!("eyJhbGciOiJFZERTQSIsImtpZCI6ImVkIn0.{}", ed_kid.next().unwrap_or_default()).as_bytes());
    write("token", "raw_crit", common::sign(br#"{"alg":"ES256","crit":["exp"],"exp":1}"#, b"{}").as_bytes());
    write("token", "raw_alg_none", b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.AA");
    // token: structured (header, payload, selectors for now and scopes)
    write("token", "st_at_jwt", &structured(&json!({"alg":"ES256","kid":"k","typ":"at+jwt"}), &claims, &[0, 2]));
    write(
        "token",
        "st_scp_aud_array",
        &structured(
            &json!({"alg":"ES256","typ":"application/AT+JWT"}),
            &json!({"iss":common::ISSUER,"aud":["x",common::AUDIENCE],"sub":"user-1","client_id":"c","iat":now,"nbf":now - 1,"exp":now + 60,"jti":"j","scp":["read","write"]}),
            &[0, 2],
        ),
    );
    write(
        "token",
        "st_plain_jwt",
        &structured(&json!({"alg":"ES256","kid":"k","typ":"JWT"}), &json!({"iss":common::ISSUER,"sub":"user-1","iat":now - 5,"exp":now + 5,"nonce":"n"}), &[0, 0]),
    );
    write("token", "payload_only", claims.to_string().as_bytes());

    // jwk
    write("jwk", "public", common::public_jwk().to_string().as_bytes());
    write("jwk", "private", json!({"kty":"EC","crv":"P-256","x":common::X,"y":common::Y,"d":common::D,"kid":"k","alg":"ES256","use":"sig","key_ops":["sign","verify"]}).to_string().as_bytes());
    write("jwk", "rsa_rfc7638", br#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#);
    write("jwk", "rsa_rfc7515_a2_x5c", json!({"kty":"RSA","n":common::RSA_N,"e":"AQAB","kid":"rs","use":"sig","x5c":["MIIC"],"x5t":"AAAA","x5t#S256":"BBBB"}).to_string().as_bytes());
    write("jwk", "okp_ed25519", json!({"kty":"OKP","crv":"Ed25519","x":common::ED_X,"alg":"EdDSA","kid":"ed"}).to_string().as_bytes());
    write("jwk", "ec_p384", json!({"kty":"EC","crv":"P-384","x":common::X384,"y":common::Y384,"alg":"ES384"}).to_string().as_bytes());
    write("jwk", "okp_and_oct", br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","k":"AAAA"}"#);
    write(
        "jwk",
        "set_mixed",
        json!({"keys":[
            common::public_jwk(),
            {"kty":"EC","crv":"P-256","x":common::X,"y":common::Y,"kid":"k2","use":"enc"},
            {"kty":"EC","crv":"P-384","x":"AA","y":"AA","kid":"p384"},
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"}
        ]})
        .to_string()
        .as_bytes(),
    );

    // options
    write(
        "options",
        "verifier_local",
        json!({"jwks":{"keys":[common::public_jwk()]},"issuer":common::ISSUER,"audience":[common::AUDIENCE],"profile":"at+jwt","clockTolerance":5,"maxTokenAge":3600,"requiredClaims":["sub"],"algorithms":["ES256"]})
            .to_string()
            .as_bytes(),
    );
    write("options", "verifier_remote", json!({"jwksUrl":"https://issuer.example/jwks","cacheMaxAge":600_000,"cooldownDuration":30_000,"timeoutDuration":5000,"issuer":common::ISSUER,"typ":"JWT","subject":"user-1"}).to_string().as_bytes());
    write(
        "options",
        "signer_and_verifier",
        json!({
            "signer": {"privateJwk":{"kty":"EC","crv":"P-256","x":common::X,"y":common::Y,"d":common::D,"kid":"k"},"issuer":common::ISSUER,"audience":common::AUDIENCE},
            "sign": {"now": common::NOW_SECS,"expiresIn":600,"typ":"at+jwt"},
            "claims": {"sub":"user-1","client_id":"c","scope":"read"},
            "verifier": {"jwks":{"keys":[common::public_jwk()]},"issuer":common::ISSUER,"audience":common::AUDIENCE,"profile":"at+jwt"},
            "verify": {"now": common::NOW_SECS,"requiredScopes":["read"]},
            "authority": common::authority_options(),
            "login": {"sub":"user-1","scope":"read","claims":{"tenant":"t"}}
        })
        .to_string()
        .as_bytes(),
    );
    write("options", "bad_types", br#"{"clockTolerance":"5s","algorithms":["ES256",7],"issuer":[]}"#);

    // remote
    // An RSA key beside the P-256 one (a 1-byte modulus would now refuse the set: RSA keys are used).
    write("remote", "jwks_body", json!({"keys":[common::public_jwk(),{"kty":"RSA","n":common::RSA_N,"e":"AQAB","x5c":["MIIC"]}]}).to_string().as_bytes());
    // Issuer metadata (discovery) naming the fixture issuer and its key set.
    write("remote", "openid_metadata", json!({"issuer":common::ISSUER,"jwks_uri":common::URL,"id_token_signing_alg_values_supported":["RS256","ES256"]}).to_string().as_bytes());
    write("remote", "exported_state", json!({"url":common::URL,"fetchedAt":common::NOW_SECS,"jwks":{"keys":[common::public_jwk()]}}).to_string().as_bytes());
    write("remote", "url_loopback", b"http://127.0.0.1:8787/jwks");

    // json
    write("json", "nested", br#"{"a":[1,-0,1.5e300,18446744073709551615,-9223372036854775808,{"b":null}],"\u00e9":"\ud83d\ude00","c":{"d":true}}"#);
    write("json", "duplicate_escaped", br#"{"a":1,"\u0061":2}"#);
    write("json", "claims", claims.to_string().as_bytes());
    write("json", "safe_integers", br#"{"a":9007199254740991,"b":-9007199254740991,"c":9.007199254740991e15,"d":[0.5,-1e-300,1e15]}"#);
    write("json", "unsafe_integers", br#"{"a":9007199254740992,"b":[{"c":18446744073709551617}],"d":-1.5e300,"e":9007199254740991.5}"#);

    // options_text: option objects as the glue's JSON text
    write("options_text", "verifier_local", json!({"jwks":{"keys":[common::public_jwk()]},"issuer":[common::ISSUER],"audience":common::AUDIENCE,"profile":"at+jwt","clockTolerance":5,"maxTokenAge":3600,"requiredClaims":["sub"],"algorithms":["ES256"],"subject":null}).to_string().as_bytes());
    write("options_text", "verifier_remote", json!({"jwksUrl":"http://127.0.0.1:8787/jwks","cacheMaxAge":600_000,"cooldownDuration":30_000,"timeoutDuration":5000}).to_string().as_bytes());
    write("options_text", "authority", common::authority_options().to_string().as_bytes());
    let mut authority = common::authority_options();
    if let Some(map) = authority.as_object_mut() {
        map.insert("cookie".into(), json!({"name":"rt","path":"/api/auth","hostPrefix":false}));
        map.insert("accessTokenTtl".into(), json!(300));
        map.insert("clientId".into(), json!("web"));
        map.insert("maxSessionsPerSubject".into(), json!(5));
        map.insert("fingerprintKey".into(), json!(common::REFRESH_SECRET));
    }
    write("options_text", "authority_all", authority.to_string().as_bytes());
    write("options_text", "login", br#"{"sub":"user-1","scope":"read write","claims":{"tenant":"t1"}}"#);
    write("options_text", "signer", json!({"privateJwk":common::private_jwk(),"issuer":common::ISSUER,"audience":["a","b"]}).to_string().as_bytes());
    write("options_text", "sign", br#"{"now":1700000000.5,"expiresIn":600,"typ":"at+jwt"}"#);
    write("options_text", "verify_and_kid", br#"{"now":1700000000,"requiredScopes":["read"],"kid":"k1"}"#);
    write("options_text", "bad_types", br#"{"cookie":{"name":5,"paht":"/"},"issuer":"","sessionTtl":59.5,"clockTolerance":"5s"}"#);

    // request: the binding's request JSON ($RT: the live refresh token, $OLD: the rotated one)
    let request = |url: &str, cookie: &str| json!({"method":"POST","url":url,"origin":common::ORIGIN,"csrf":"1","cookie":cookie,"bodyLength":0});
    write("request", "refresh", request("https://app.example/auth/refresh", "a=1; tessera_rt=$RT").to_string().as_bytes());
    write("request", "refresh_reused", request("https://app.example/auth/refresh", "tessera_rt=$OLD").to_string().as_bytes());
    write("request", "logout", request("/auth/logout?x=1", "tessera_rt=\"$RT\"").to_string().as_bytes());
    write("request", "jwks", br#"{"method":"GET","url":"https://app.example/.well-known/jwks.json","origin":null,"csrf":null,"cookie":null,"bodyLength":null}"#);
    write("request", "csrf_missing", br#"{"method":"POST","url":"https://app.example/auth/refresh","origin":"https://evil.example","cookie":"tessera_rt=$RT","bodyLength":16385}"#);

    // handshake: a Cookie header, a family record, a subject record, authority options
    write("handshake", "cookie", b"a=1; tessera_rt=tsr1.AAAAAAAAAAAAAAAAAAAAAA.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA");
    let family = json!({
        "family":"AAAAAAAAAAAAAAAAAAAAAA","sub":"user-1","scope":"read","claims":{},"createdAt":now,"expiresAt":now + 3600,
        "idleExpiresAt":now + 600,"generation":1,"current":"h","previous":null,"rotatedAt":now,"nonce":"n","subjectEpoch":0,
        "revoked":false,"revokedReason":null
    });
    write("handshake", "family", family.to_string().as_bytes());
    write("handshake", "subject", json!({"generation":3,"epoch":2,"revokedAt":now,"families":[{"sid":"AAAAAAAAAAAAAAAAAAAAAA","expiresAt":now + 3600}]}).to_string().as_bytes());
    write("handshake", "authority", common::authority_options().to_string().as_bytes());

    // session: a token response, channel messages, TokenSession options, a challenge
    write("session", "response", br#"{"access_token":"a.b.c","token_type":"Bearer","expires_in":300,"scope":"read","refresh_expires_in":3600}"#);
    write("session", "message_token", json!({"type":"token","accessToken":"a.b.c","receivedAt":1_700_000_000_000u64,"expiresAt":1_700_000_300_000u64,"scope":"read","sessionExpiresAt":1_700_003_600_000u64,"subject":"user-1","iat":1_700_000_000}).to_string().as_bytes());
    write("session", "message_logout", br#"{"type":"logout","reason":"invalid_grant"}"#);
    write("session", "options", br#"{"authPath":"https://auth.example/auth/","refreshMargin":60,"channel":"app","apiOrigins":["https://api.example"]}"#);
    write("session", "challenge", br#"Newauth realm="apps", type=1, Bearer realm="example", error="invalid_token", error_description="expired""#);
}
