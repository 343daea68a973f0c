//! The linker on small hand-made runtimes: the `c2w` imports become generated
//! functions, every function reference follows the renumbering, and the
//! image's segments are reachable through `data_len` / `data_copy` when the
//! module runs in wasmtime.

use std::borrow::Cow;

use c2w_aot::link::{link, LinkInput};
use c2w_aot::{run, RunOptions, Stdin};
use tempfile::TempDir;
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, ImportSection, Instruction as I, MemArg,
    MemorySection, MemoryType, Module, NameMap, NameSection, TableSection, TableType, TypeSection,
    ValType,
};
use wasmparser::{Name, Parser, Payload, Validator, WasmFeatures};

const FD_WRITE: u32 = 0;
const DATA_LEN: u32 = 1;
const PROC_EXIT: u32 = 2;
const DATA_COPY: u32 = 3;
const EMIT: u32 = 4;
const START: u32 = 5;

/// The type indices of the hand-made runtime.
const T_FD_WRITE: u32 = 0;
const T_I32_TO_NONE: u32 = 1;
const T_DATA_LEN: u32 = 2;
const T_DATA_COPY: u32 = 3;
const T_NONE: u32 = 4;

/// One step of the hand-made runtime's `_start`.
#[derive(Clone, Copy)]
enum Step {
    /// Write segment `seg` to stdout (through `data_len` and `data_copy`).
    Emit(i32),
    /// The same through the table (`call_indirect`).
    EmitIndirect(i32),
    /// Exit with this status.
    Exit(i32),
    /// Exit with the length of segment `seg`.
    ExitWithLen(i32),
}

/// A runtime importing `c2w.data_len` and `c2w.data_copy` between two WASI
/// imports, with its own active data segment, a table, and a name section.
fn runtime(steps: &[Step], data_len_name: &str, data_len_type: u32) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32; 4], [ValType::I32]);
    types.ty().function([ValType::I32], []);
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32; 4], []);
    types.ty().function([], []);

    let mut imports = ImportSection::new();
    imports.import(
        "wasi_snapshot_preview1",
        "fd_write",
        EntityType::Function(T_FD_WRITE),
    );
    imports.import("c2w", data_len_name, EntityType::Function(data_len_type));
    imports.import(
        "wasi_snapshot_preview1",
        "proc_exit",
        EntityType::Function(T_I32_TO_NONE),
    );
    imports.import("c2w", "data_copy", EntityType::Function(T_DATA_COPY));

    let mut functions = FunctionSection::new();
    functions.function(T_I32_TO_NONE).function(T_NONE);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: wasm_encoder::RefType::FUNCREF,
        table64: false,
        minimum: 1,
        maximum: Some(1),
        shared: false,
    });
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("_start", ExportKind::Func, START);
    let mut elements = ElementSection::new();
    elements.active(
        None,
        &ConstExpr::i32_const(0),
        Elements::Functions(Cow::Borrowed(&[EMIT])),
    );

    let mem = |offset| MemArg {
        offset,
        align: 2,
        memory_index: 0,
    };
    // emit(seg): copy the segment to 1024 and write it to stdout.
    let mut emit = Function::new([(1, ValType::I32)]);
    for i in [
        I::LocalGet(0),
        I::Call(DATA_LEN),
        I::LocalSet(1),
        I::LocalGet(0),
        I::I32Const(1024),
        I::I32Const(0),
        I::LocalGet(1),
        I::Call(DATA_COPY),
        I::I32Const(16),
        I::I32Const(1024),
        I::I32Store(mem(0)),
        I::I32Const(16),
        I::LocalGet(1),
        I::I32Store(mem(4)),
        I::I32Const(1),
        I::I32Const(16),
        I::I32Const(1),
        I::I32Const(32),
        I::Call(FD_WRITE),
        I::Drop,
        I::End,
    ] {
        emit.instruction(&i);
    }
    let mut start_fn = Function::new([]);
    for step in steps {
        let instructions = match *step {
            Step::Emit(seg) => vec![I::I32Const(seg), I::Call(EMIT)],
            Step::EmitIndirect(seg) => vec![
                I::I32Const(seg),
                I::I32Const(0),
                I::CallIndirect {
                    type_index: T_I32_TO_NONE,
                    table_index: 0,
                },
            ],
            Step::Exit(status) => vec![I::I32Const(status), I::Call(PROC_EXIT)],
            Step::ExitWithLen(seg) => vec![I::I32Const(seg), I::Call(DATA_LEN), I::Call(PROC_EXIT)],
        };
        for i in &instructions {
            start_fn.instruction(i);
        }
    }
    start_fn.instruction(&I::End);
    let mut code = CodeSection::new();
    code.function(&emit).function(&start_fn);

    let mut data = DataSection::new();
    data.active(
        0,
        &ConstExpr::i32_const(512),
        b"runtime data".iter().copied(),
    );

    let mut names = NameMap::new();
    for (index, name) in [
        "fd_write",
        "data_len",
        "proc_exit",
        "data_copy",
        "emit",
        "_start",
    ]
    .iter()
    .enumerate()
    {
        names.append(index as u32, name);
    }
    let mut name_section = NameSection::new();
    name_section.functions(&names);

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&exports)
        .section(&elements)
        .section(&code)
        .section(&data)
        .section(&name_section);
    module.finish()
}

/// Links `runtime` with `segments`.
fn link_with(runtime: &[u8], segments: &[&[u8]]) -> anyhow::Result<Vec<u8>> {
    link(&LinkInput {
        runtime,
        segments,
        functions: &[],
    })
}

/// Runs a linked module, capturing its output.
fn run_module(module: &[u8]) -> c2w_aot::RunOutput {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("module.wasm");
    std::fs::write(&path, module).unwrap();
    run(&RunOptions {
        module: path,
        stdin: Stdin::Bytes(Vec::new()),
        capture: true,
        ..RunOptions::default()
    })
    .unwrap()
}

#[test]
fn linked_module_reads_its_segments() {
    let steps = [Step::Emit(0), Step::EmitIndirect(1), Step::Exit(200)];
    let runtime = runtime(&steps, "data_len", T_DATA_LEN);
    let segments: [&[u8]; 2] = [b"{\"manifest\":true}\n", b"file bytes\n"];
    let module = link_with(&runtime, &segments).unwrap();
    Validator::new_with_features(WasmFeatures::WASM2)
        .validate_all(&module)
        .unwrap();

    let mut imports = Vec::new();
    let mut data = Vec::new();
    let mut data_count = None;
    let mut function_names = Vec::new();
    for payload in Parser::new(0).parse_all(&module) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.unwrap();
                    imports.push(format!("{}.{}", import.module, import.name));
                }
            }
            Payload::DataCountSection { count, .. } => data_count = Some(count),
            Payload::DataSection(reader) => {
                for segment in reader {
                    let segment = segment.unwrap();
                    let passive = matches!(segment.kind, wasmparser::DataKind::Passive);
                    data.push((passive, segment.data.to_vec()));
                }
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                    for name in names {
                        if let Name::Function(map) = name.unwrap() {
                            for naming in map {
                                let naming = naming.unwrap();
                                function_names.push((naming.index, naming.name.to_string()));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        imports,
        [
            "wasi_snapshot_preview1.fd_write",
            "wasi_snapshot_preview1.proc_exit"
        ]
    );
    assert_eq!(data_count, Some(3));
    assert_eq!(
        data,
        [
            (false, b"runtime data".to_vec()),
            (true, segments[0].to_vec()),
            (true, segments[1].to_vec())
        ]
    );
    // Imports first, then the runtime's functions, then the generated ones,
    // which keep the names of the imports they replace.
    let expected: Vec<(u32, String)> = [
        "fd_write",
        "proc_exit",
        "emit",
        "_start",
        "data_len",
        "data_copy",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| (i as u32, name.to_string()))
    .collect();
    assert_eq!(function_names, expected);

    let output = run_module(&module);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.stdout, [segments[0], segments[1]].concat());
    // Statuses WASI runtimes usually refuse (126 and above) pass through.
    assert_eq!(output.status, 200);
}

#[test]
fn unknown_segment_traps() {
    for seg in [2, -1, 1000] {
        let out_of_range = runtime(&[Step::ExitWithLen(seg)], "data_len", T_DATA_LEN);
        let module = link_with(&out_of_range, &[b"manifest", b"file"]).unwrap();
        let output = run_module(&module);
        assert_eq!(output.status, c2w_aot::run::TRAP_STATUS);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("wasm trap: wasm `unreachable` instruction executed"),
            "{stderr}"
        );
    }
    // In range: no trap.
    let in_range = runtime(&[Step::ExitWithLen(1)], "data_len", T_DATA_LEN);
    let module = link_with(&in_range, &[b"manifest", b"file"]).unwrap();
    assert_eq!(run_module(&module).status, 4);
}

#[test]
fn unknown_or_mistyped_imports_are_refused() {
    let unknown = runtime(&[], "data_size", T_DATA_LEN);
    let err = format!("{:#}", link_with(&unknown, &[b"manifest"]).unwrap_err());
    assert!(
        err.contains("the runtime imports c2w.data_size, which the linker does not define"),
        "{err}"
    );

    // A module importing data_len with the wrong type and never calling it.
    let mut types = TypeSection::new();
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    let mut imports = ImportSection::new();
    imports.import("c2w", "data_len", EntityType::Function(0));
    let mut mistyped = Module::new();
    mistyped.section(&types).section(&imports);
    let err = format!(
        "{:#}",
        link_with(&mistyped.finish(), &[b"manifest"]).unwrap_err()
    );
    assert!(err.contains("the runtime imports c2w.data_len with type (func (param i32 i32) (result i32)), expected (func (param i32) (result i32))"), "{err}");
}

#[test]
fn runtime_without_imports_or_data() {
    // Only `_start`: the linker adds the data count and data sections.
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut exports = ExportSection::new();
    exports.export("_start", ExportKind::Func, 0);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instruction(&I::End);
    code.function(&f);
    let mut module = Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&exports)
        .section(&code);
    let runtime = module.finish();

    let linked = link_with(&runtime, &[b"manifest", b"", b"last"]).unwrap();
    let passive: Vec<Vec<u8>> = Parser::new(0)
        .parse_all(&linked)
        .filter_map(|p| match p.unwrap() {
            Payload::DataSection(reader) => Some(
                reader
                    .into_iter()
                    .map(|d| d.unwrap().data.to_vec())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(
        passive,
        [b"manifest".to_vec(), Vec::new(), b"last".to_vec()]
    );
    assert_eq!(run_module(&linked).status, 0);
}

#[test]
fn many_segments() {
    // More segments than one generated br_table takes: a two-level dispatch.
    let count = 2 * 4096 + 3;
    let files: Vec<Vec<u8>> = (0..count).map(|i| vec![i as u8; i % 251]).collect();
    let mut segments: Vec<&[u8]> = vec![b"manifest"];
    segments.extend(files.iter().map(Vec::as_slice));
    let last = count as i32;
    let steps = [
        Step::Emit(last),
        Step::Emit(4097),
        Step::Emit(0),
        Step::ExitWithLen(last - 1),
    ];
    let module = link_with(&runtime(&steps, "data_len", T_DATA_LEN), &segments).unwrap();
    let output = run_module(&module);
    assert_eq!(
        output.stdout,
        [segments[last as usize], segments[4097], b"manifest"].concat()
    );
    assert_eq!(output.status, segments[last as usize - 1].len() as i32);

    // The most a module may hold.
    let many = vec![&b""[..]; c2w_aot::link::MAX_DATA_SEGMENTS];
    let err = format!(
        "{:#}",
        link_with(&runtime(&[], "data_len", T_DATA_LEN), &many).unwrap_err()
    );
    assert!(
        err.contains("more than the 100000 a module may have"),
        "{err}"
    );
}
