//! Linking: the runtime module, the translated functions and the image's
//! data segments into one module.
//!
//! The runtime imports a few functions from Wasm module `c2w` (see
//! [`INTRINSICS`]). The linker removes those imports and defines them as
//! generated functions, which renumbers every function after them: the
//! runtime is re-encoded (`wasm_encoder::reencode`) with the new numbering.
//! The image's segments become passive data segments after the runtime's own
//! data segments; generated code reaches them with `memory.init`.
//!
//! Translated functions come after the generated ones, each with a slot in
//! the runtime's function table (grown for them) so that the entry table
//! ([`entries`]) can reach them with `call_indirect`. Their calls name
//! functions by [`Plan::function_index`], known before linking so that
//! functions can be translated in parallel first.

pub mod entries;

use std::convert::Infallible;
use std::fmt;

use anyhow::{bail, Context as _, Result};
use wasm_encoder::reencode::{self, utils, Reencode};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataCountSection, DataSection, ElementSection, Elements,
    Function, FunctionSection, ImportSection, IndirectNameMap, Instruction, Module, NameMap,
    NameSection, SectionId, TableSection, TypeSection,
};
use wasmparser::{FuncType, Name, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures};

/// Wasm module name of the functions the linker defines.
pub const INTRINSICS_MODULE: &str = "c2w";

/// Wasm features the linked module may use: Wasm 2.0, which every target
/// runtime ships (see "Output compatibility" in the design notes).
pub const OUTPUT_FEATURES: WasmFeatures = WasmFeatures::WASM2;

/// Most data segments a module may have (the limit engines share).
pub const MAX_DATA_SEGMENTS: usize = 100_000;

/// What goes into a linked module.
#[derive(Clone, Copy, Debug)]
pub struct LinkInput<'a> {
    /// The runtime module (`c2w-runtime`).
    pub runtime: &'a [u8],
    /// The image's data, numbered from 0 as the `c2w` functions see it:
    /// segment 0 is the manifest, then one per regular file (and the entry
    /// table of translated code).
    pub segments: &'a [&'a [u8]],
    /// Translated functions in ordinal order, each of type `(i32) -> i64`
    /// (`lift::signature`), calling others as [`Plan`] numbers them.
    pub functions: &'a [Function],
}

/// Where things are in the linked module's function index space, decided by
/// the runtime alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Index of translated function 0.
    pub first_translated: u32,
    /// Indices of the generated `probe`, `find` and `call_pc`.
    pub probe: u32,
    pub find: u32,
    pub call_pc: u32,
    /// Indices of the runtime's routines for translated code, by
    /// [`Helper`](crate::lift::Helper) (`None` for the generated ones, or if
    /// the runtime does not export it).
    pub routines: [Option<u32>; crate::lift::Helper::ALL.len()],
}

impl Plan {
    /// Works out the index space for `runtime`.
    pub fn new(runtime: &[u8]) -> Result<Plan> {
        let runtime = Runtime::scan(runtime).context("cannot read the runtime module")?;
        Ok(runtime.plan())
    }

    /// The index of a function translated code calls (see `lift`).
    pub fn function_index(&self, namespace: u32, index: u32) -> Option<u32> {
        use crate::lift::{Helper, NS_HELPER, NS_TRANSLATED};
        match namespace {
            NS_TRANSLATED => self.first_translated.checked_add(index),
            NS_HELPER => match Helper::ALL.get(index as usize)? {
                Helper::Find => Some(self.find),
                Helper::CallPc => Some(self.call_pc),
                &routine => self.routines[routine as usize],
            },
            _ => None,
        }
    }
}

/// A function the runtime imports from [`INTRINSICS_MODULE`] and the linker
/// defines.
struct Intrinsic {
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
    /// Generates the body.
    body: fn(&Context) -> Function,
}

/// The functions the linker knows how to define.
const INTRINSICS: &[Intrinsic] = &[
    Intrinsic {
        name: "data_len",
        params: &[ValType::I32],
        results: &[ValType::I32],
        body: data_len,
    },
    Intrinsic {
        name: "data_copy",
        params: &[ValType::I32; 4],
        results: &[],
        body: data_copy,
    },
    Intrinsic {
        name: "lookup",
        params: &[ValType::I64],
        results: &[ValType::I32],
        body: |cx| entries::lookup(cx.plan.probe),
    },
    Intrinsic {
        name: "enter",
        params: &[ValType::I64],
        results: &[ValType::I64],
        body: |cx| entries::call_pc(cx.plan.probe, cx.entry_type, cx.first_slot),
    },
];

/// What the generated functions need to know.
struct Context {
    /// Whether `probe`, `find` and `call_pc` are generated.
    with_lookups: bool,
    /// Data index of segment 0 (the runtime's own segments come first).
    first: u32,
    lens: Vec<u32>,
    plan: Plan,
    /// Type index of translated functions, `(i32) -> i64`.
    entry_type: u32,
    /// Table slot of translated function 0.
    first_slot: u32,
}

/// `data_len(seg: i32) -> i32`: the length of segment `seg`.
fn data_len(segments: &Context) -> Function {
    switch(segments.lens.len() as u32, |f, seg| {
        f.instruction(&Instruction::I32Const(segments.lens[seg as usize] as i32));
    })
}

/// `data_copy(seg: i32, dst: i32, src_offset: i32, len: i32)`: copies bytes
/// of segment `seg` to linear memory.
fn data_copy(segments: &Context) -> Function {
    switch(segments.lens.len() as u32, |f, seg| {
        for param in 1..=3 {
            f.instruction(&Instruction::LocalGet(param));
        }
        f.instruction(&Instruction::MemoryInit {
            mem: 0,
            data_index: segments.first + seg,
        });
    })
}

/// Most targets of one generated `br_table` (Cranelift allows 65520).
const SWITCH_WIDTH: u32 = 1 << 12;

/// A function body that runs `case(seg)` then returns, for `0 <= seg < n`
/// where `seg` is parameter 0, and traps for any other `seg`. Up to
/// [`SWITCH_WIDTH`] cases take one `br_table`; more take two (one on
/// `seg / SWITCH_WIDTH`, then one on `seg % SWITCH_WIDTH`).
fn switch(n: u32, mut case: impl FnMut(&mut Function, u32)) -> Function {
    let mut f = Function::new([]);
    let seg = [Instruction::LocalGet(0)];
    if n <= SWITCH_WIDTH {
        dispatch(&mut f, &seg, n, &mut |f, i| case(f, i));
    } else {
        let high = [
            Instruction::LocalGet(0),
            Instruction::I32Const(SWITCH_WIDTH.trailing_zeros() as i32),
            Instruction::I32ShrU,
        ];
        let low = [
            Instruction::LocalGet(0),
            Instruction::I32Const(SWITCH_WIDTH as i32 - 1),
            Instruction::I32And,
        ];
        dispatch(&mut f, &high, n.div_ceil(SWITCH_WIDTH), &mut |f, chunk| {
            let first = chunk * SWITCH_WIDTH;
            let width = SWITCH_WIDTH.min(n - first);
            dispatch(f, &low, width, &mut |f, i| case(f, first + i));
        });
    }
    f.instruction(&Instruction::End);
    f
}

/// Code that runs `case(i)` then returns if `selector` (instructions leaving
/// an i32) is `i`, for `0 <= i < n`, and traps otherwise: one block per case
/// plus one to trap after, innermost first, so that `br_table` label `i`
/// lands after the end of block `i`, on its case.
fn dispatch(
    f: &mut Function,
    selector: &[Instruction],
    n: u32,
    case: &mut dyn FnMut(&mut Function, u32),
) {
    for _ in 0..=n {
        f.instruction(&Instruction::Block(BlockType::Empty));
    }
    for instruction in selector {
        f.instruction(instruction);
    }
    f.instruction(&Instruction::BrTable((0..n).collect::<Vec<_>>().into(), n));
    for i in 0..n {
        f.instruction(&Instruction::End);
        case(f, i);
        f.instruction(&Instruction::Return);
    }
    f.instruction(&Instruction::End);
    f.instruction(&Instruction::Unreachable);
}

/// Links `input` into one module and checks it validates.
pub fn link(input: &LinkInput) -> Result<Vec<u8>> {
    if input.segments.is_empty() {
        bail!("nothing to link: the manifest segment is missing");
    }
    Validator::new_with_features(OUTPUT_FEATURES)
        .validate_all(input.runtime)
        .context("the runtime module is invalid")?;
    let runtime = Runtime::scan(input.runtime).context("cannot read the runtime module")?;
    let total_segments = runtime.data_segments as usize + input.segments.len();
    if total_segments > MAX_DATA_SEGMENTS {
        bail!(
            "the image needs {} data segments (one per regular file) plus the runtime's {}, \
             more than the {MAX_DATA_SEGMENTS} a module may have",
            input.segments.len(),
            runtime.data_segments
        );
    }
    let lens = input
        .segments
        .iter()
        .map(|s| u32::try_from(s.len()).context("a data segment is larger than 4 GiB"))
        .collect::<Result<_>>()?;
    // The generated lookups need the runtime's memory and function table; a
    // runtime without them cannot have translated code.
    let with_lookups = runtime.table_size.is_some() && runtime.memories > 0;
    if !with_lookups && !input.functions.is_empty() {
        bail!("the runtime module has no function table or memory for translated code");
    }
    let first_slot = runtime.table_size.unwrap_or(0);
    let first_slot = u32::try_from(first_slot).context("the runtime's table is too large")?;
    let context = Context {
        with_lookups,
        first: runtime.data_segments,
        lens,
        plan: runtime.plan(),
        entry_type: runtime.types.len() as u32,
        first_slot,
    };
    if !input.functions.is_empty() {
        for helper in crate::lift::Helper::ALL {
            if let Some(name) = helper.export_name() {
                if context.plan.routines[helper as usize].is_none() {
                    bail!("the runtime does not export {name}, which translated code calls");
                }
            }
        }
    }
    let mut linker = Linker::new(&runtime, &context, input)?;

    let mut module = Module::new();
    linker
        .parse_core_module(&mut module, Parser::new(0), input.runtime)
        .map_err(|err| anyhow::anyhow!("cannot re-encode the runtime module: {err}"))?;
    let bytes = module.finish();
    Validator::new_with_features(OUTPUT_FEATURES)
        .validate_all(&bytes)
        .context("internal error: the linked module does not validate")?;
    Ok(bytes)
}

/// What the linker needs to know about the runtime before re-encoding it.
#[derive(Default)]
struct Runtime<'a> {
    /// Function types by type index (`None`: not a function type).
    types: Vec<Option<FuncType>>,
    /// Imported functions, in function index order.
    imports: Vec<ImportedFunction<'a>>,
    defined_functions: u32,
    data_segments: u32,
    memories: u32,
    /// Initial size of table 0, if there is one.
    table_size: Option<u64>,
    /// Function exports, by name.
    exports: Vec<(&'a str, u32)>,
}

struct ImportedFunction<'a> {
    module: &'a str,
    name: &'a str,
    type_index: u32,
}

impl fmt::Display for ImportedFunction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.module, self.name)
    }
}

impl<'a> Runtime<'a> {
    fn scan(bytes: &'a [u8]) -> Result<Self> {
        let mut runtime = Runtime::default();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group?.into_types() {
                            runtime.types.push(match sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => Some(f),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        match import.ty {
                            TypeRef::Func(type_index) => runtime.imports.push(ImportedFunction {
                                module: import.module,
                                name: import.name,
                                type_index,
                            }),
                            TypeRef::Memory(_) => runtime.memories += 1,
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(reader) => runtime.defined_functions = reader.count(),
                Payload::TableSection(reader) => {
                    if let Some(table) = reader.into_iter().next() {
                        runtime.table_size = Some(table?.ty.initial);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == wasmparser::ExternalKind::Func {
                            runtime.exports.push((export.name, export.index));
                        }
                    }
                }
                Payload::MemorySection(reader) => runtime.memories += reader.count(),
                Payload::DataSection(reader) => runtime.data_segments = reader.count(),
                _ => {}
            }
        }
        Ok(runtime)
    }

    /// Imports the linker keeps.
    fn kept_imports(&self) -> u32 {
        self.imports
            .iter()
            .filter(|i| i.module != INTRINSICS_MODULE)
            .count() as u32
    }

    /// The index space of the linked module: kept imports, the runtime's
    /// functions, the intrinsics (in import order), `probe`, `find`,
    /// `call_pc`, then translated functions.
    fn plan(&self) -> Plan {
        let kept = self.kept_imports();
        let intrinsics = self.imports.len() as u32 - kept;
        let probe = kept + self.defined_functions + intrinsics;
        Plan {
            first_translated: probe + 3,
            probe,
            find: probe + 1,
            call_pc: probe + 2,
            // Exports name functions in the runtime's own numbering.
            routines: crate::lift::Helper::ALL.map(|helper| {
                let name = helper.export_name()?;
                let &(_, old) = self.exports.iter().find(|(n, _)| *n == name)?;
                let old = old.checked_sub(self.imports.len() as u32)?;
                Some(kept + old)
            }),
        }
    }
}

/// The re-encoder: renumbers functions, drops the `c2w` imports and appends
/// the generated functions and the image's data segments.
struct Linker<'a> {
    /// New index of each old function index.
    function_map: Vec<u32>,
    /// Generated functions: (type index, body), in function index order.
    generated: Vec<(u32, Function)>,
    /// Translated functions, after the generated ones.
    translated: &'a [Function],
    /// Type index of translated functions (the first type added).
    entry_type: u32,
    /// Table slot of translated function 0, and its function index.
    first_slot: u32,
    first_translated: u32,
    data_segments_before: u32,
    segments: &'a [&'a [u8]],
    emitted: Emitted,
}

/// Sections of ours already written.
#[derive(Default)]
struct Emitted {
    table_grown: bool,
    elements: bool,
    functions: bool,
    data_count: bool,
    code: bool,
    data: bool,
}

impl<'a> Linker<'a> {
    fn new(runtime: &Runtime, context: &Context, input: &LinkInput<'a>) -> Result<Self> {
        let mut kept = Vec::new();
        let mut generated = Vec::new();
        for (index, import) in runtime.imports.iter().enumerate() {
            if import.module != INTRINSICS_MODULE {
                kept.push(index);
                continue;
            }
            let Some(intrinsic) = INTRINSICS.iter().find(|i| i.name == import.name) else {
                let known: Vec<_> = INTRINSICS.iter().map(|i| i.name).collect();
                bail!(
                    "the runtime imports {import}, which the linker does not define (it defines {})",
                    known.join(", ")
                );
            };
            let ty = runtime
                .types
                .get(import.type_index as usize)
                .cloned()
                .flatten();
            let matches = ty.as_ref().is_some_and(|ty| {
                ty.params() == intrinsic.params && ty.results() == intrinsic.results
            });
            if !matches {
                let expected = FuncType::new(
                    intrinsic.params.iter().copied(),
                    intrinsic.results.iter().copied(),
                );
                bail!(
                    "the runtime imports {import} with type {}, expected {expected}",
                    ty.map_or("(not a function type)".to_string(), |ty| ty.to_string()),
                );
            }
            if runtime.memories == 0 {
                bail!("the runtime imports {import} but has no memory");
            }
            generated.push((index, import.type_index, (intrinsic.body)(context)));
        }

        let kept_count = kept.len() as u32;
        let first_generated = kept_count + runtime.defined_functions;
        let mut function_map = vec![0; runtime.imports.len()];
        for (new, &old) in kept.iter().enumerate() {
            function_map[old] = new as u32;
        }
        for (k, &(old, _, _)) in generated.iter().enumerate() {
            function_map[old] = first_generated + k as u32;
        }
        function_map.extend((0..runtime.defined_functions).map(|i| kept_count + i));

        let mut generated: Vec<_> = generated
            .into_iter()
            .map(|(_, ty, body)| (ty, body))
            .collect();
        let pc_type = context.entry_type + 1;
        let plan = &context.plan;
        if context.with_lookups {
            generated.push((pc_type, entries::probe()));
            generated.push((pc_type, entries::find(plan.probe)));
            generated.push((
                pc_type,
                entries::call_pc(plan.find, context.entry_type, context.first_slot),
            ));
            debug_assert_eq!(
                first_generated + generated.len() as u32,
                plan.first_translated
            );
        }

        Ok(Linker {
            function_map,
            generated,
            translated: input.functions,
            entry_type: context.entry_type,
            first_slot: context.first_slot,
            first_translated: plan.first_translated,
            data_segments_before: runtime.data_segments,
            segments: input.segments,
            emitted: Emitted::default(),
        })
    }

    fn map(&self, function: u32) -> u32 {
        self.function_map[function as usize]
    }

    fn function_section(&mut self, section: &mut FunctionSection) {
        for &(ty, _) in &self.generated {
            section.function(ty);
        }
        for _ in self.translated {
            section.function(self.entry_type);
        }
        self.emitted.functions = true;
    }

    fn code_section(&mut self, section: &mut CodeSection) {
        for (_, body) in &self.generated {
            section.function(body);
        }
        for body in self.translated {
            section.function(body);
        }
        self.emitted.code = true;
    }

    /// The active element segment that puts the translated functions in
    /// their table slots.
    fn element_section(&mut self, section: &mut ElementSection) {
        if !self.translated.is_empty() {
            let first = self.first_translated;
            let functions: Vec<u32> = (first..first + self.translated.len() as u32).collect();
            section.active(
                Some(0),
                &ConstExpr::i32_const(self.first_slot as i32),
                Elements::Functions(functions.into()),
            );
        }
        self.emitted.elements = true;
    }

    fn data_section(&mut self, section: &mut DataSection) {
        for segment in self.segments {
            section.passive(segment.iter().copied());
        }
        self.emitted.data = true;
    }

    fn data_count(&mut self) -> u32 {
        self.emitted.data_count = true;
        self.data_segments_before + self.segments.len() as u32
    }

    /// A name map with every index renumbered, in increasing index order.
    fn name_map(
        &self,
        map: wasmparser::NameMap<'_>,
    ) -> Result<NameMap, wasmparser::BinaryReaderError> {
        let mut names = map
            .into_iter()
            .map(|naming| naming.map(|n| (self.map(n.index), n.name)))
            .collect::<Result<Vec<_>, _>>()?;
        names.sort_by_key(|&(index, _)| index);
        let mut out = NameMap::new();
        for (index, name) in names {
            out.append(index, name);
        }
        Ok(out)
    }

    fn indirect_name_map(
        &self,
        map: wasmparser::IndirectNameMap<'_>,
    ) -> Result<IndirectNameMap, reencode::Error> {
        let mut groups = Vec::new();
        for naming in map {
            let naming = naming?;
            let inner = utils::name_map(naming.names, Ok)?;
            groups.push((self.map(naming.index), inner));
        }
        groups.sort_by_key(|(index, _)| *index);
        let mut out = IndirectNameMap::new();
        for (index, names) in &groups {
            out.append(*index, names);
        }
        Ok(out)
    }
}

/// Position of a section in a core module.
fn section_rank(id: SectionId) -> u8 {
    match id {
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
        _ => 0,
    }
}

impl Reencode for Linker<'_> {
    type Error = Infallible;

    /// The runtime's types, then `(i32) -> i64` (translated functions) and
    /// `(i64) -> i64` (the generated lookups).
    fn parse_type_section(
        &mut self,
        types: &mut TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        utils::parse_type_section(self, types, section)?;
        types
            .ty()
            .function([wasm_encoder::ValType::I32], [wasm_encoder::ValType::I64]);
        types
            .ty()
            .function([wasm_encoder::ValType::I64], [wasm_encoder::ValType::I64]);
        Ok(())
    }

    /// Table 0 grows by a slot per translated function.
    fn parse_table(
        &mut self,
        tables: &mut TableSection,
        mut table: wasmparser::Table<'_>,
    ) -> Result<(), reencode::Error> {
        if !self.emitted.table_grown {
            let n = self.translated.len() as u64;
            table.ty.initial += n;
            table.ty.maximum = table.ty.maximum.map(|m| m + n);
            self.emitted.table_grown = true;
        }
        utils::parse_table(self, tables, table)
    }

    fn parse_element_section(
        &mut self,
        elements: &mut ElementSection,
        section: wasmparser::ElementSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        utils::parse_element_section(self, elements, section)?;
        self.element_section(elements);
        Ok(())
    }

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error> {
        Ok(self.map(func))
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        for import in section.into_imports() {
            let import = import?;
            if import.module == INTRINSICS_MODULE && matches!(import.ty, TypeRef::Func(_)) {
                continue;
            }
            imports.import(import.module, import.name, self.entity_type(import.ty)?);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        utils::parse_function_section(self, functions, section)?;
        self.function_section(functions);
        Ok(())
    }

    fn data_count(&mut self, _count: u32) -> Result<u32, reencode::Error> {
        Ok(Linker::data_count(self))
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        utils::parse_code_section(self, code, section)?;
        self.code_section(code);
        Ok(())
    }

    fn parse_data_section(
        &mut self,
        data: &mut DataSection,
        section: wasmparser::DataSectionReader<'_>,
    ) -> Result<(), reencode::Error> {
        utils::parse_data_section(self, data, section)?;
        self.data_section(data);
        Ok(())
    }

    /// Writes the sections of ours the runtime lacks, where they belong.
    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), reencode::Error> {
        let next = before.map_or(u8::MAX, section_rank);
        let have_functions = !self.generated.is_empty() || !self.translated.is_empty();
        if !self.emitted.elements && next > section_rank(SectionId::Element) {
            let mut section = ElementSection::new();
            self.element_section(&mut section);
            if !section.is_empty() {
                module.section(&section);
            }
        }
        if have_functions && !self.emitted.functions && next > section_rank(SectionId::Function) {
            let mut section = FunctionSection::new();
            self.function_section(&mut section);
            module.section(&section);
        }
        if !self.emitted.data_count && next > section_rank(SectionId::DataCount) {
            let count = Linker::data_count(self);
            module.section(&DataCountSection { count });
        }
        if have_functions && !self.emitted.code && next > section_rank(SectionId::Code) {
            let mut section = CodeSection::new();
            self.code_section(&mut section);
            module.section(&section);
        }
        if !self.emitted.data && next > section_rank(SectionId::Data) {
            let mut section = DataSection::new();
            self.data_section(&mut section);
            module.section(&section);
        }
        Ok(())
    }

    /// Function, local and label names follow the renumbering and stay sorted.
    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        section: Name<'_>,
    ) -> Result<(), reencode::Error> {
        match section {
            Name::Function(map) => names.functions(&self.name_map(map)?),
            Name::Local(map) => names.locals(&self.indirect_name_map(map)?),
            Name::Label(map) => names.labels(&self.indirect_name_map(map)?),
            other => utils::parse_custom_name_subsection(self, names, other)?,
        }
        Ok(())
    }
}
