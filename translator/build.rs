//! Builds the runtime (`c2w-runtime`, a wasm32-wasip1 binary) and leaves it in
//! `OUT_DIR/c2w-runtime.wasm`, where `src/runtime.rs` embeds it; or, if
//! `C2W_RUNTIME_WASM` names a prebuilt runtime module, embeds that one.
//!
//! The runtime is built by a nested cargo with its own target dir (under
//! `OUT_DIR`) and an environment cleaned of everything that describes the
//! host build (its target, profile, flags and wrappers), so that building the
//! translator for any host, profile or tool (clippy, coverage) gives the same
//! runtime.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{exit, Command};

/// Package and binary name of the runtime.
const RUNTIME: &str = "c2w-runtime";
/// Target the runtime is built for.
const TARGET: &str = "wasm32-wasip1";
/// Cargo profile the runtime is built with (defined in the workspace manifest).
const PROFILE: &str = "runtime";

/// Names a prebuilt runtime module to embed instead of building one.
const PREBUILT_VAR: &str = "C2W_RUNTIME_WASM";

/// Workspace paths whose changes rebuild the runtime.
const WATCHED: &[&str] = &[
    "runtime",
    "isa",
    "syscalls",
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
];

/// `CARGO_*` variables the nested cargo still needs (a trailing `_` keeps
/// the whole family): where crates live and how to reach or replace
/// registries, the shared jobserver, terminal settings.
const KEPT_CARGO_VARS: &[&str] = &[
    "CARGO_HOME",
    "CARGO_MAKEFLAGS",
    "CARGO_NET_",
    "CARGO_HTTP_",
    "CARGO_REGISTRIES_",
    "CARGO_REGISTRY_",
    "CARGO_SOURCE_",
    "CARGO_TERM_",
];

/// Other variables that carry the host build's settings into a cargo or
/// rustc run.
const LEAKING_VARS: &[&str] = &[
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_LINKER",
    "TARGET",
    "HOST",
    "OUT_DIR",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("the translator lives in the workspace")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let runtime_wasm = out_dir.join(format!("{RUNTIME}.wasm"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={PREBUILT_VAR}");
    if let Some(prebuilt) = env::var_os(PREBUILT_VAR) {
        println!("cargo:rerun-if-changed={}", Path::new(&prebuilt).display());
        copy(Path::new(&prebuilt), &runtime_wasm);
        return;
    }
    for path in WATCHED {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }

    let target_dir = out_dir.join("runtime-target");
    let mut command = Command::new(cargo);
    command
        .current_dir(&workspace)
        .args(["build", "--package", RUNTIME, "--bin", RUNTIME])
        .args(["--target", TARGET, "--profile", PROFILE])
        .arg("--target-dir")
        .arg(&target_dir);
    clean_env(&mut command);

    let output = match command.output() {
        Ok(output) => output,
        Err(err) => fail(&format!("cannot start cargo to build the runtime: {err}")),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        eprintln!("{}", String::from_utf8_lossy(&output.stdout));
        eprintln!("{stderr}");
        let hint = if stderr.contains("target may not be installed") {
            format!("; add the target with `rustup target add {TARGET}`")
        } else {
            String::new()
        };
        fail(&format!(
            "building the runtime ({RUNTIME} for {TARGET}, profile {PROFILE}) failed ({}){hint}",
            output.status
        ));
    }

    let built = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{RUNTIME}.wasm"));
    copy(&built, &runtime_wasm);
}

/// Removes from `command`'s environment everything that would make the nested
/// build inherit the host build's settings.
fn clean_env(command: &mut Command) {
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let cargo_var = key.starts_with("CARGO_")
            && !KEPT_CARGO_VARS
                .iter()
                .any(|kept| key == *kept || (kept.ends_with('_') && key.starts_with(kept)));
        if cargo_var || key.starts_with("__CARGO") || LEAKING_VARS.contains(&key) {
            command.env_remove(key);
        }
    }
}

fn copy(from: &Path, to: &Path) {
    if let Err(err) = std::fs::copy(from, to) {
        fail(&format!(
            "the runtime build succeeded but {} cannot be copied to {}: {err}",
            from.display(),
            to.display()
        ));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1);
}
