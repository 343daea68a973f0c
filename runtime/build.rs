//! Exports the runtime routines that translated code calls, so the
//! translator's linker can find them by name.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        for routine in ["c2w_fp", "c2w_syscall"] {
            println!("cargo:rustc-link-arg-bins=--export={routine}");
        }
    }
}
