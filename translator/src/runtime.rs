//! The runtime module (`c2w-runtime`, built for wasm32-wasip1 by the build
//! script), embedded in the translator.

/// The runtime's Wasm bytes: the interpreter, dispatcher and WASI host that
/// every linked module starts from.
pub static RUNTIME_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/c2w-runtime.wasm"));
