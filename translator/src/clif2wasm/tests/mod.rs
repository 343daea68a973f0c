//! Tests of the CLIF -> Wasm backend: functions are built with
//! `cranelift_frontend`, prepared like the lifter does (verifier, then
//! Cranelift's mid-end, or without the egraph pass), emitted with and without
//! inline values, validated, run with wasmtime and compared with results
//! computed in Rust.

mod control;
mod irreducible;
mod ops;
mod random;

use super::structure::Cfg;
use super::{emit_structured, emit_with, wasm_signature, Env, Error, Structured};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{
    types, AbiParam, ExtFuncData, ExternalName, FuncRef, Function, Signature, Type,
    UserExternalName, UserFuncName, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::{settings, Context};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, FunctionSection, ImportSection, MemorySection,
    MemoryType, Module, TypeSection, ValType,
};
use wasmtime::{Engine, Func, Instance, Store, Val};

/// The Wasm functions the test modules import, in index order: CLIF calls
/// name them `u0:<index>`.
pub const HELPERS: [(&[Type], &[Type]); 2] = [
    (
        &[types::I32, types::I64, types::F64],
        &[types::I64, types::I32],
    ),
    (&[types::I8], &[types::I16]),
];

/// What `HELPERS[0]` computes.
pub fn helper0(a: i32, b: i64, c: f64) -> (i64, i32) {
    (b.wrapping_mul(3).wrapping_sub(i64::from(a)), (c as i32) ^ a)
}

/// What `HELPERS[1]` computes (on a zero-extended i8, giving a zero-extended i16).
pub fn helper1(a: u32) -> u32 {
    (a * 257 + 1) & 0xffff
}

/// Names the helpers as the test modules import them.
pub struct TestEnv;

impl Env for TestEnv {
    fn function_index(&self, callee: &UserExternalName) -> Option<u32> {
        (callee.namespace == 0 && (callee.index as usize) < HELPERS.len()).then_some(callee.index)
    }
}

pub fn signature(params: &[Type], returns: &[Type]) -> Signature {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    sig.returns
        .extend(returns.iter().map(|t| AbiParam::new(*t)));
    sig
}

/// A function built by `body`, which starts in the entry block (whose
/// parameters it receives) and must terminate every block it creates.
pub fn build(
    params: &[Type],
    returns: &[Type],
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) -> Function {
    let mut func =
        Function::with_name_signature(UserFuncName::user(1, 0), signature(params, returns));
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let args = b.block_params(entry).to_vec();
    body(&mut b, &args);
    b.seal_all_blocks();
    // `finalize` only re-checks what the verifier checks (and needs a
    // target description): the builder is simply no longer used.
    func
}

/// Declares `HELPERS[index]` in the function being built.
pub fn import_helper(b: &mut FunctionBuilder, index: u32) -> FuncRef {
    let (params, returns) = HELPERS[index as usize];
    let signature = b.import_signature(signature(params, returns));
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(0, index));
    b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: true,
        patchable: false,
    })
}

/// Verifies `func` and runs the passes the lifter runs; the egraph pass
/// only if `optimize`.
pub fn prepare(func: &Function, optimize: bool) -> Function {
    let mut flags = settings::builder();
    settings::Configurable::set(&mut flags, "opt_level", "speed").unwrap();
    let flags = settings::Flags::new(flags);
    if let Err(e) = cranelift_codegen::verify_function(func, &flags) {
        panic!("invalid test CLIF: {e}\n{}", func.display());
    }
    let mut ctx = Context::for_function(func.clone());
    ctx.compute_cfg();
    ctx.compute_domtree();
    ctx.eliminate_unreachable_code(&flags).unwrap();
    ctx.remove_constant_phis(&flags).unwrap();
    ctx.func.dfg.resolve_all_aliases();
    if optimize {
        ctx.egraph_pass(&flags, &mut ControlPlane::default())
            .unwrap();
    }
    ctx.func
}

/// A module importing the helpers, with 4 pages of memory ("mem") and the
/// function `body` of type `sig` exported as "f".
pub fn module(sig: &Signature, body: &wasm_encoder::Function) -> Vec<u8> {
    let mut types_sec = TypeSection::new();
    for (params, returns) in HELPERS {
        let (p, r) = wasm_signature(&signature(params, returns)).unwrap();
        types_sec.ty().function(p, r);
    }
    let (p, r) = wasm_signature(sig).unwrap();
    types_sec.ty().function(p, r);
    let mut imports = ImportSection::new();
    for i in 0..HELPERS.len() as u32 {
        imports.import(
            "env",
            &format!("h{i}"),
            wasm_encoder::EntityType::Function(i),
        );
    }
    let mut funcs = FunctionSection::new();
    funcs.function(HELPERS.len() as u32);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 4,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, HELPERS.len() as u32);
    exports.export("mem", ExportKind::Memory, 0);
    let mut code = CodeSection::new();
    code.function(body);
    let mut m = Module::new();
    m.section(&types_sec)
        .section(&imports)
        .section(&funcs)
        .section(&memory)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// Emits `func` (already prepared) and validates the module around it.
pub fn emit_module(func: &Function, inline: bool) -> Result<Vec<u8>, Error> {
    validated_module(func, &emit_with(func, &TestEnv, inline)?)
}

/// [`emit_module`] through the last-resort dispatch loop around the whole
/// function, whatever the CFG.
pub fn emit_module_dispatch(func: &Function) -> Result<Vec<u8>, Error> {
    let body = emit_structured(func, &TestEnv, true, || {
        Structured::Dispatch(Cfg::new(func))
    })?;
    validated_module(func, &body)
}

/// The module around `body` (emitted from `func`), validated.
fn validated_module(func: &Function, body: &wasm_encoder::Function) -> Result<Vec<u8>, Error> {
    let bytes = module(&func.signature, body);
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    if let Err(e) = validator.validate_all(&bytes) {
        panic!("invalid Wasm: {e}\nfor CLIF:\n{}", func.display());
    }
    Ok(bytes)
}

thread_local! {
    static ENGINE: Engine = Engine::default();
}

/// An instance of a module made by [`module`], with the helpers linked.
pub struct Instance1 {
    store: Store<()>,
    f: Func,
}

impl Instance1 {
    pub fn new(bytes: &[u8]) -> Self {
        ENGINE.with(|engine| {
            let module = wasmtime::Module::new(engine, bytes).unwrap();
            let mut store = Store::new(engine, ());
            let h0 = Func::wrap(&mut store, |a: i32, b: i64, c: f64| helper0(a, b, c));
            let h1 = Func::wrap(&mut store, |a: i32| helper1(a as u32) as i32);
            let instance = Instance::new(&mut store, &module, &[h0.into(), h1.into()]).unwrap();
            let f = instance.get_func(&mut store, "f").unwrap();
            Self { store, f }
        })
    }

    /// Calls the function; `None` if it trapped.
    pub fn call(&mut self, args: &[Val], nresults: usize) -> Option<Vec<Val>> {
        let mut results = vec![Val::I32(0); nresults];
        self.f.call(&mut self.store, args, &mut results).ok()?;
        Some(results)
    }
}

/// The raw bits of a CLIF value of type `ty` as a Wasm value (i8/i16 are
/// zero-extended, as the backend's convention requires).
pub fn to_val(ty: Type, bits: u64) -> Val {
    match ty {
        types::I8 => Val::I32((bits & 0xff) as i32),
        types::I16 => Val::I32((bits & 0xffff) as i32),
        types::I32 => Val::I32(bits as u32 as i32),
        types::I64 => Val::I64(bits as i64),
        types::F32 => Val::F32(bits as u32),
        types::F64 => Val::F64(bits),
        _ => panic!("no Wasm value for {ty}"),
    }
}

/// The raw bits of a Wasm value.
pub fn from_val(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        Val::F32(x) => u64::from(*x),
        Val::F64(x) => *x,
        _ => panic!("unexpected value {v:?}"),
    }
}

/// Whether `got` (raw bits of a `ty`) matches `want`, any NaN matching any NaN.
pub fn same(ty: Type, got: u64, want: u64) -> bool {
    match ty {
        types::F32 => {
            got == want
                || (f32::from_bits(got as u32).is_nan() && f32::from_bits(want as u32).is_nan())
        }
        types::F64 => {
            got == want || (f64::from_bits(got).is_nan() && f64::from_bits(want).is_nan())
        }
        _ => got == want,
    }
}

/// The four ways a function is emitted: with and without the egraph pass,
/// with and without inline values.
pub const MODES: [(bool, bool); 4] = [(true, true), (true, false), (false, true), (false, false)];

/// Checks `func` on each case (raw argument bits -> raw result bits, or
/// `None` for a trap) in all [`MODES`]; an irreducible function also through
/// the last-resort dispatch loop (optimized, inline values).
pub fn check(func: &Function, cases: &[(Vec<u64>, Option<Vec<u64>>)]) {
    let params: Vec<Type> = func.signature.params.iter().map(|p| p.value_type).collect();
    let returns: Vec<Type> = func
        .signature
        .returns
        .iter()
        .map(|p| p.value_type)
        .collect();
    let irreducible = !Cfg::new(&prepare(func, true)).reducible;
    // The last resort is never needed for the CLIF the tests build.
    for optimize in [true, false] {
        let prepared = prepare(func, optimize);
        assert!(
            !super::needs_dispatch_loop(&prepared),
            "not made reducible:\n{}",
            prepared.display()
        );
    }
    let dispatch = irreducible.then_some((true, true, true));
    let modes = MODES.iter().map(|&(o, i)| (o, i, false)).chain(dispatch);
    for (optimize, inline, whole_dispatch) in modes {
        let prepared = prepare(func, optimize);
        let bytes = if whole_dispatch {
            emit_module_dispatch(&prepared)
        } else {
            emit_module(&prepared, inline)
        }
        .unwrap_or_else(|e| panic!("emit failed: {e}\n{}", prepared.display()));
        let mut inst = Instance1::new(&bytes);
        for (args, want) in cases {
            let vals: Vec<Val> = params
                .iter()
                .zip(args)
                .map(|(t, a)| to_val(*t, *a))
                .collect();
            let got = inst.call(&vals, returns.len());
            let ok = match (&got, want) {
                (None, None) => true,
                (Some(got), Some(want)) => returns
                    .iter()
                    .zip(got.iter().zip(want))
                    .all(|(t, (g, w))| same(*t, from_val(g), *w)),
                _ => false,
            };
            assert!(
                ok,
                "args {args:x?}: got {:x?}, want {want:x?} (optimize {optimize}, inline {inline}, \
                 whole-function dispatch {whole_dispatch})\n{}",
                got.map(|g| g.iter().map(from_val).collect::<Vec<_>>()),
                prepared.display()
            );
        }
    }
}

/// Edge values for integer tests (truncated to the type by the callers).
pub const INT_EDGES: [u64; 24] = [
    0,
    1,
    2,
    3,
    7,
    8,
    15,
    16,
    31,
    32,
    63,
    64,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
];

/// A small deterministic pseudo-random generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An integer biased towards edge values.
    pub fn int(&mut self) -> u64 {
        match self.below(4) {
            0 => INT_EDGES[self.below(INT_EDGES.len() as u64) as usize],
            1 => INT_EDGES[self.below(INT_EDGES.len() as u64) as usize]
                .wrapping_add(self.below(3))
                .wrapping_sub(1),
            _ => self.next(),
        }
    }
}

/// The types' Wasm counterparts, for tests about signatures.
pub fn wasm_types(tys: &[Type]) -> Vec<ValType> {
    wasm_signature(&signature(tys, &[])).unwrap().0
}

/// Block arguments of `values`.
fn args(values: &[Value]) -> Vec<cranelift_codegen::ir::BlockArg> {
    values
        .iter()
        .map(|v| cranelift_codegen::ir::BlockArg::Value(*v))
        .collect()
}

/// A new block with parameters of `params`, and the parameters.
fn block_with(
    b: &mut FunctionBuilder,
    params: &[Type],
) -> (cranelift_codegen::ir::Block, Vec<Value>) {
    let block = b.create_block();
    let values = params
        .iter()
        .map(|t| b.append_block_param(block, *t))
        .collect();
    (block, values)
}
