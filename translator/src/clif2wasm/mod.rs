//! Placeholder until the CLIF to Wasm backend lands.
use cranelift_codegen::ir::{Function, Signature, UserExternalName};
pub trait Env { fn function_index(&self, callee: &UserExternalName) -> Option<u32>; }
#[derive(Debug, thiserror::Error)]
pub enum Error { #[error("unsupported {what}: {inst}")] Unsupported { what: String, inst: String } }
pub fn wasm_signature(_sig: &Signature) -> Result<(Vec<wasm_encoder::ValType>, Vec<wasm_encoder::ValType>), Error> { Err(Error::Unsupported{what: String::new(), inst: String::new()}) }
pub fn emit(_func: &Function, _env: &dyn Env) -> Result<wasm_encoder::Function, Error> { Err(Error::Unsupported{what: "everything".into(), inst: String::new()}) }
