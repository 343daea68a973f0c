//! The c2w-aot runtime's entry point (wasm32-wasip1).

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: c2w_runtime::alloc::RuntimeAlloc = c2w_runtime::alloc::RuntimeAlloc::new();

#[cfg(target_arch = "wasm32")]
fn main() {
    let args = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let env = std::env::vars_os()
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
        .collect();
    let status = c2w_runtime::dispatch::run(c2w_runtime::host::WasiHost::new(), args, env);
    std::process::exit(status);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("c2w-runtime is the WebAssembly runtime of c2w-aot; it runs inside modules that `c2w-aot build` makes");
    std::process::exit(2);
}
