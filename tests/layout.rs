//! The house rules of `src/` (README, "Layout"), checked on the source text so that a change that
//! breaks one fails here rather than in review:
//! * the core is sans-I/O: only `src/wasm/` names wasm-bindgen, js-sys or web-sys;
//! * the JOSE primitives (`src/jose/`) import nothing from the roles;
//! * the roles do not reach into each other (`session` into neither; `verifier` not into
//!   `authority` or `session`);
//! * no binding file is over 250 lines: the binding converts, it does not decide.
//!
//! Test modules (from a file's first `#[cfg(test)]` on) are left out: tests may build a token with
//! the authority's signer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, as (path relative to `src/`, text before its tests).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 20, "src/ not found");
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
            let name = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            (name, code)
        })
        .collect()
}

/// Lines of code that mention `needle`, comments left out.
fn mentions(code: &str, needle: &str) -> Vec<String> {
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .filter(|line| line.contains(needle))
        .map(str::to_owned)
        .collect()
}

fn refused(rule: &str, files: &[(String, String)], applies: impl Fn(&str) -> bool, needles: &[&str]) {
    let mut found = Vec::new();
    for (name, code) in files.iter().filter(|(name, _)| applies(name)) {
        for needle in needles {
            for line in mentions(code, needle) {
                found.push(format!("{name}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{rule}:\n{}", found.join("\n"));
}

#[test]
fn only_the_binding_layer_names_the_javascript_runtime() {
    refused(
        "the core is sans-I/O; wasm-bindgen, js-sys and web-sys belong in src/wasm/",
        &sources(),
        |name| !name.starts_with("wasm/") && name != "lib.rs",
        &["wasm_bindgen", "js_sys", "web_sys"],
    );
}

#[test]
fn jose_primitives_import_no_role() {
    refused(
        "src/jose/ imports nothing from the roles",
        &sources(),
        |name| name.starts_with("jose/"),
        &["crate::verifier", "crate::authority", "crate::session", "crate::wasm"],
    );
}

#[test]
fn roles_do_not_reach_into_each_other() {
    let files = sources();
    refused(
        "src/session/ (the browser build) uses neither the verifier nor the authority",
        &files,
        |name| name.starts_with("session/"),
        &["crate::verifier", "crate::authority", "crate::wasm"],
    );
    refused(
        "src/verifier/ uses neither the authority nor the session",
        &files,
        |name| name.starts_with("verifier/"),
        &["crate::authority", "crate::session", "crate::wasm"],
    );
}

#[test]
fn no_binding_file_is_over_250_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/wasm");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let long: Vec<String> = files
        .iter()
        .map(|path| (path, fs::read_to_string(path).unwrap().lines().count()))
        .filter(|(_, lines)| *lines > 250)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(
        long.is_empty(),
        "binding files over 250 lines (move conversions out, decisions into the core):\n{}",
        long.join("\n")
    );
}
