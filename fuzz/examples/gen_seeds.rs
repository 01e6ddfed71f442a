//! Writes the seed corpus into `fuzz/seeds/<target>/`: real tokens and JWKs, a handful of
//! small files per target. Run from `fuzz/`: `cargo run --example gen_seeds`.
//! The files are committed; rerun only to change them (signatures are deterministic, RFC 6979).

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

#[path = "../common/mod.rs"]
mod common;

/// RFC 7515 Appendix A.3: ES256 with the same P-256 key as the fixtures.
const RFC7515_A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

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
    let now = common::NOW as i64;
    let claims = Value::Object(common::claims());

    // The seeds must reach the accepting paths: check the two real tokens verify.
    let validation = &common::validations()[0];
    if let Err(e) = tessera::jwt::verify(common::valid_token(), common::key_set(), validation, common::NOW, &common::scopes(2)) {
        panic!("fixture token does not verify: {e}");
    }
    if let Err(e) = tessera::jws::verify_compact(RFC7515_A3, common::key_set(), &[tessera::jws::Algorithm::Es256]) {
        panic!("RFC 7515 A.3 token does not verify: {e}");
    }

    // token: raw tokens
    write("token", "raw_valid_at_jwt", common::valid_token().as_bytes());
    // RFC 7515 Appendix A.3 (the same key), CRLF inside its payload.
    write("token", "raw_rfc7515_a3", RFC7515_A3.as_bytes());
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
    write("options", "verifier_remote", json!({"jwksUrl":"https://issuer.example/jwks","cacheMaxAge":600,"cooldown":30,"issuer":common::ISSUER,"typ":"JWT","subject":"user-1"}).to_string().as_bytes());
    write(
        "options",
        "signer_and_verifier",
        json!({
            "signer": {"privateJwk":{"kty":"EC","crv":"P-256","x":common::X,"y":common::Y,"d":common::D,"kid":"k"},"issuer":common::ISSUER,"audience":common::AUDIENCE},
            "sign": {"now": common::NOW,"expiresIn":600,"typ":"at+jwt"},
            "claims": {"sub":"user-1","client_id":"c","scope":"read"},
            "verifier": {"jwks":{"keys":[common::public_jwk()]},"issuer":common::ISSUER,"audience":common::AUDIENCE,"profile":"at+jwt"},
            "verify": {"now": common::NOW,"requiredScopes":["read"]}
        })
        .to_string()
        .as_bytes(),
    );
    write("options", "bad_types", br#"{"clockTolerance":"5s","algorithms":["ES256",7],"issuer":[]}"#);

    // remote
    write("remote", "jwks_body", json!({"keys":[common::public_jwk(),{"kty":"RSA","n":"AQAB","e":"AQAB"}]}).to_string().as_bytes());
    write("remote", "exported_state", json!({"url":common::URL,"fetchedAt":common::NOW,"jwks":{"keys":[common::public_jwk()]}}).to_string().as_bytes());
    write("remote", "url_loopback", b"http://127.0.0.1:8787/jwks");

    // json
    write("json", "nested", br#"{"a":[1,-0,1.5e300,18446744073709551615,-9223372036854775808,{"b":null}],"\u00e9":"\ud83d\ude00","c":{"d":true}}"#);
    write("json", "duplicate_escaped", br#"{"a":1,"\u0061":2}"#);
    write("json", "claims", claims.to_string().as_bytes());
}
