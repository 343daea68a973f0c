//! CLIF -> Wasm backend.
//!
//! Cranelift is used by this project only as an IR and a mid-end optimizer:
//! the lifter builds CLIF for a guest function, Cranelift optimizes it, and
//! this module turns the optimized function into the body of a Wasm function
//! (encoded with `wasm-encoder`). No machine code is ever generated.
//!
//! The work is split in five parts:
//! - [`analysis`]: which values get a Wasm local and which ones are emitted
//!   inline, left on the Wasm operand stack for their only user;
//! - [`reduce`]: irreducible CFGs made reducible by a dispatch header per
//!   multi-entry loop, so that the rest of the function stays structured;
//! - [`structure`]: structured control flow from the CFG (Ramsey's "Beyond
//!   Relooper" for reducible graphs, a whole-function dispatch loop as the
//!   last resort), including the parallel moves that pass block arguments;
//! - [`lower`]: the Wasm sequence of each CLIF instruction;
//! - [`code`]: the instruction buffer and the local allocator, which numbers
//!   locals grouped by type once the body is complete.

mod analysis;
mod code;
mod lower;
mod reduce;
mod structure;
#[cfg(test)]
mod tests;

use cranelift_codegen::ir::{types, Function, Inst, Signature, Type, UserExternalName};
use wasm_encoder::ValType;

/// How the emitted code names other Wasm functions.
pub trait Env {
    /// The Wasm function index of a callee, from the `UserExternalName` of the
    /// CLIF `FuncRef` being called (namespace and index are the caller's convention).
    fn function_index(&self, callee: &UserExternalName) -> Option<u32>;
}

/// Why a function could not be translated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An opcode (or a type) the backend does not handle. `what` names it
    /// (e.g. "opcode fma" or "type i128") and `inst` shows the instruction.
    #[error("unsupported CLIF instruction `{inst}` ({what})")]
    Unsupported { what: String, inst: String },
    /// A call to a function the [`Env`] cannot name.
    #[error("call to a function without a Wasm index: {name}")]
    UnknownCallee { name: String },
    /// A Wasm limit would be exceeded (e.g. more than 50,000 locals).
    #[error("Wasm limit exceeded: {what}")]
    Limit { what: String },
}

/// The largest number of locals (parameters included) a function may have.
/// Engines reject functions far above this (wasmtime allows 50,000).
pub const MAX_LOCALS: usize = 50_000;

/// The Wasm parameter and result types of a CLIF signature (i8/i16/i32 -> i32,
/// i64 -> i64, f32, f64; others are Unsupported).
pub fn wasm_signature(sig: &Signature) -> Result<(Vec<ValType>, Vec<ValType>), Error> {
    let map = |params: &[cranelift_codegen::ir::AbiParam]| {
        params
            .iter()
            .map(|p| {
                val_type(p.value_type).ok_or_else(|| Error::Unsupported {
                    what: format!("type {}", p.value_type),
                    inst: format!("signature {sig}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok((map(&sig.params)?, map(&sig.returns)?))
}

/// The body of `func` as a Wasm function whose type is
/// `wasm_signature(&func.signature)`.
///
/// Never panics on verifier-valid CLIF: whatever the backend does not handle
/// is an [`Error`]. The output is deterministic and the cost roughly linear
/// in the size of the function.
pub fn emit(func: &Function, env: &dyn Env) -> Result<wasm_encoder::Function, Error> {
    emit_with(func, env, true)
}

/// [`emit`], with the inline emission of single-use values optional (the
/// tests compare both ways).
fn emit_with(
    func: &Function,
    env: &dyn Env,
    inline: bool,
) -> Result<wasm_encoder::Function, Error> {
    emit_structured(func, env, inline, || structured(func))
}

/// [`emit_with`], with the structuring chosen by `how` (the tests also force
/// the last-resort dispatch loop).
fn emit_structured(
    func: &Function,
    env: &dyn Env,
    inline: bool,
    how: impl FnOnce() -> Structured,
) -> Result<wasm_encoder::Function, Error> {
    let (params, _) = wasm_signature(&func.signature)?;
    let Some(entry) = func.layout.entry_block() else {
        // A function without blocks has no behaviour to translate.
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&wasm_encoder::Instruction::Unreachable);
        body.instruction(&wasm_encoder::Instruction::End);
        return Ok(body);
    };
    let reduced;
    let (func, cfg) = match how() {
        Structured::Reducible(cfg) | Structured::Dispatch(cfg) => (func, cfg),
        Structured::Reduced(f, cfg) => {
            reduced = f;
            (&*reduced, cfg)
        }
    };
    let plan = analysis::Plan::new(func, &cfg.blocks, inline);
    let mut em = lower::Emitter::new(func, env, &plan, &params, entry)?;
    structure::emit_body(&mut em, &cfg)?;
    em.finish()
}

/// The Wasm type of a CLIF scalar type, if the backend supports it.
fn val_type(ty: Type) -> Option<ValType> {
    match ty {
        types::I8 | types::I16 | types::I32 => Some(ValType::I32),
        types::I64 => Some(ValType::I64),
        types::F32 => Some(ValType::F32),
        types::F64 => Some(ValType::F64),
        _ => None,
    }
}

/// The `Unsupported` error for `inst`, with `what` naming the cause.
fn unsupported(func: &Function, inst: Inst, what: impl Into<String>) -> Error {
    Error::Unsupported {
        what: what.into(),
        inst: func.dfg.display_inst(inst).to_string(),
    }
}

/// Whether `func`'s control flow is reducible as given (then it is emitted as
/// nested blocks and loops directly; otherwise its multi-entry loops get
/// dispatch headers first, see [`needs_dispatch_loop`]).
pub fn is_reducible(func: &Function) -> bool {
    structure::Cfg::new(func).reducible
}

/// Whether `func` is emitted through the last-resort dispatch loop around
/// the whole function (its CFG could not be made reducible).
pub fn needs_dispatch_loop(func: &Function) -> bool {
    matches!(structured(func), Structured::Dispatch(_))
}

/// How a function's control flow is structured.
enum Structured {
    /// The CFG is reducible as given.
    Reducible(structure::Cfg),
    /// The CFG is irreducible, this rewrite of the function is not.
    Reduced(Box<Function>, structure::Cfg),
    /// The CFG is irreducible and stays so: whole-function dispatch loop.
    Dispatch(structure::Cfg),
}

/// The structuring of `func`: as given if reducible, else the rewrite of
/// [`reduce`] if that makes it reducible (checked here, so that a rewrite
/// falling short can never produce invalid code), else the last resort.
fn structured(func: &Function) -> Structured {
    let cfg = structure::Cfg::new(func);
    if cfg.reducible {
        return Structured::Reducible(cfg);
    }
    if let Some(reduced) = reduce::make_reducible(func) {
        let reduced_cfg = structure::Cfg::new(&reduced);
        if reduced_cfg.reducible {
            return Structured::Reduced(Box::new(reduced), reduced_cfg);
        }
    }
    Structured::Dispatch(cfg)
}
