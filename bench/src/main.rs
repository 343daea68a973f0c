//! c2w-bench: performance side by side (native, wasm ceiling, qemu-user,
//! interpreter-only, AOT). The harness arrives with ahead-of-time lifting;
//! until then this binary only says so.

fn main() {
    eprintln!("c2w-bench: no benchmarks yet: they are measured once ahead-of-time lifting exists");
    std::process::exit(2);
}
