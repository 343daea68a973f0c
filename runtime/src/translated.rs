//! The dispatcher's side of translated code: the page shared with it, the
//! entry table, the functions the linker defines to enter it, and the
//! routine translated code calls for floating point.
//!
//! Translated functions keep guest registers in Wasm locals and write them
//! back to the [`Cpu`] at [`CPU_ADDR`] whenever they leave; the runtime and
//! translated code also share the [`Links`] at [`LINKS_ADDR`] (see there for
//! what a translated function's result means).

use c2w_isa::Cpu;
use c2w_isa::FpOp;
use c2w_syscalls::host::Host;
use c2w_syscalls::image::Translation;
use c2w_syscalls::layout::{Links, CPU_ADDR, LINKS_ADDR};

use crate::interp::fp;

/// Bytes of Wasm stack (as translated functions estimate their frames) that
/// translated code may use below the dispatcher before calls go through the
/// dispatcher instead. Engines give a Wasm stack of about 512 KiB to 1 MiB
/// by default; this keeps well inside that.
pub const STACK_BUDGET: i64 = 192 * 1024;

/// The CPU state and the links, at their fixed addresses.
///
/// # Safety
///
/// The shared page must be in linear memory (the kernel grows memory past
/// it when it maps the guest), and nothing else may hold references to it.
#[cfg(target_arch = "wasm32")]
pub unsafe fn shared() -> (&'static mut Cpu, &'static mut Links) {
    // SAFETY: the caller vouches for the page; the addresses are fixed by
    // the memory layout and aligned.
    unsafe {
        (
            &mut *(CPU_ADDR as usize as *mut Cpu),
            &mut *(LINKS_ADDR as usize as *mut Links),
        )
    }
}

/// On the host (unit tests of the runtime) there is no translated code: the
/// state lives on the heap.
///
/// # Safety
///
/// Always safe; `unsafe` to match the wasm32 version.
#[cfg(not(target_arch = "wasm32"))]
pub unsafe fn shared() -> (&'static mut Cpu, &'static mut Links) {
    let _ = (CPU_ADDR, LINKS_ADDR);
    (
        Box::leak(Box::new(Cpu::default())),
        Box::leak(Box::new(Links::default())),
    )
}

#[cfg(target_arch = "wasm32")]
mod linked {
    #[link(wasm_import_module = "c2w")]
    extern "C" {
        /// Whether `pc` is an entry of a translated function.
        pub fn lookup(pc: u64) -> u32;
        /// Runs the translated function that has an entry at `pc` (which
        /// must be one) from there; returns the next pc (see `Links`).
        pub fn enter(pc: u64) -> u64;
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod linked {
    pub unsafe fn lookup(_pc: u64) -> u32 {
        0
    }
    pub unsafe fn enter(pc: u64) -> u64 {
        pc
    }
}

/// The module's translated code, as the dispatcher sees it.
pub struct Translated {
    /// The entry table (kept alive here; translated code reads it through
    /// `Links::table`).
    table: Vec<u64>,
    slots: u32,
    ranges: Vec<(u64, u64)>,
    enabled: bool,
}

impl Translated {
    /// No translated code.
    pub fn none() -> Translated {
        Translated {
            table: Vec::new(),
            slots: 0,
            ranges: Vec::new(),
            enabled: false,
        }
    }

    /// Reads the entry table that `translation` describes from the module.
    pub fn load<H: Host>(host: &mut H, translation: &Translation) -> Result<Translated, String> {
        let len = host.data_len(translation.table_segment) as usize;
        let slots = translation.slots;
        if !slots.is_power_of_two() || len != slots as usize * 16 {
            return Err(format!(
                "translated code: the entry table has {len} bytes for {slots} slots"
            ));
        }
        let mut table = vec![0u64; len / 8];
        // SAFETY: a u64 slice is plain bytes of the same length.
        let bytes = unsafe { std::slice::from_raw_parts_mut(table.as_mut_ptr().cast::<u8>(), len) };
        host.data_read(translation.table_segment, 0, bytes);
        Ok(Translated {
            table,
            slots,
            ranges: translation.ranges.clone(),
            enabled: true,
        })
    }

    /// Whether translated code is in use.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Publishes the table to translated code (or its absence).
    pub fn publish(&self, links: &mut Links) {
        if self.enabled {
            links.table = self.table.as_ptr() as usize as u32;
            links.mask = self.slots - 1;
        } else {
            links.table = 0;
            links.mask = 0;
        }
    }

    /// The guest changed code in `[start, end)`: translated code of that
    /// range no longer describes it, so stop using translated code.
    pub fn code_changed(&mut self, start: u64, end: u64, links: &mut Links) {
        if self.ranges.iter().any(|&(lo, hi)| start < hi && lo < end) {
            self.enabled = false;
            self.publish(links);
        }
    }

    /// Whether `pc` is a translated entry.
    #[inline]
    pub fn is_entry(&self, pc: u64) -> bool {
        // SAFETY: the linker defines `lookup` for every module.
        self.enabled && unsafe { linked::lookup(pc) } != 0
    }
}

/// How translated code's system calls are served while it runs.
type SyscallHook<'a> = &'a mut dyn FnMut() -> u32;

/// The hook of the translated code running now (single-threaded).
static mut SYSCALL_HOOK: Option<*mut dyn FnMut() -> u32> = None;

/// Runs translated code from the entry at `pc` (which must be one, with the
/// CPU state in the shared page and the `Links` published); its system calls
/// go to `serve`, which returns `SYSCALL_CONTINUE` or `SYSCALL_LEAVE`.
pub fn enter_with_syscalls(pc: u64, serve: SyscallHook<'_>) -> u64 {
    // SAFETY: the hook is only called during `enter`, while `serve` lives;
    // the lifetime is erased to store it, and cleared before returning.
    unsafe {
        let hook: *mut (dyn FnMut() -> u32 + '_) = serve;
        SYSCALL_HOOK = Some(std::mem::transmute::<
            *mut (dyn FnMut() -> u32 + '_),
            *mut (dyn FnMut() -> u32 + 'static),
        >(hook));
        let next = linked::enter(pc);
        SYSCALL_HOOK = None;
        next
    }
}

/// A system call of translated code: the guest registers are in the CPU
/// state; the result goes to a0.
#[cfg(target_arch = "wasm32")]
#[export_name = "c2w_syscall"]
pub extern "C" fn translated_syscall() -> u32 {
    // SAFETY: set by `enter_with_syscalls` around every run of translated
    // code, which is the only caller.
    unsafe {
        match SYSCALL_HOOK {
            Some(hook) => (*hook)(),
            None => c2w_syscalls::layout::SYSCALL_LEAVE,
        }
    }
}

/// Floating-point operations for translated code: `code` is
/// `FpOp::code`, the operands are the raw register bits, `rm` a valid
/// rounding mode. Accrues the exception flags into the shared CPU state.
#[cfg(target_arch = "wasm32")]
#[export_name = "c2w_fp"]
pub extern "C" fn translated_fp(code: u32, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    // SAFETY: only translated code calls this, while the guest runs.
    let (cpu, _) = unsafe { shared() };
    fp_on(cpu, code, [a, b, c], rm)
}

/// [`translated_fp`] on a given CPU state.
pub fn fp_on(cpu: &mut Cpu, code: u32, args: [u64; 3], rm: u64) -> u64 {
    let Some((op, fmt)) = FpOp::from_code(code) else {
        return 0;
    };
    match fp::fp(op, fmt, &args, rm, cpu.fflags) {
        Ok(r) => {
            cpu.fflags |= r.flags;
            r.value
        }
        // Translated code checks dynamic rounding modes before calling.
        Err(fp::ReservedRm) => 0,
    }
}

/// x87 operations for translated code (see `Backend::x87`). A memory
/// operand outside guest memory stops the module, as other accesses of
/// translated code do.
#[cfg(target_arch = "wasm32")]
#[export_name = "c2w_x87"]
pub extern "C" fn translated_x87(code: u32, arg: u64) -> u64 {
    use c2w_syscalls::layout::{GUEST_BASE, MMAP_MIN_ADDR};
    // SAFETY: only translated code calls this, while the guest runs; guest
    // memory is linear memory from GUEST_BASE to its end.
    let (cpu, _) = unsafe { shared() };
    let end = core::arch::wasm32::memory_size(0) as u64 * 65536;
    let mem = unsafe {
        crate::interp::GuestMem::from_raw(
            GUEST_BASE as usize as *mut u8,
            MMAP_MIN_ADDR,
            end - GUEST_BASE,
        )
    };
    match crate::interp::x87::run(cpu, &mem, code, arg) {
        Ok(v) => v,
        Err(_) => core::arch::wasm32::unreachable(),
    }
}

/// Execution counters for `C2W_STATS=1`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Guest instructions the interpreter ran.
    pub interpreted: u64,
    /// Times the dispatcher entered translated code.
    pub entries: u64,
    /// Times translated code handed an instruction to the interpreter.
    pub handed_over: u64,
    /// Whether `C2W_STATS` asked for these (then `interpreted_at` is kept).
    pub enabled: bool,
    /// Instructions interpreted, by the pc where the dispatcher started
    /// interpreting: where translated code was left, and why.
    pub interpreted_at: std::collections::BTreeMap<u64, u64>,
    /// Why the dispatcher enters translated code next.
    pub why: Why,
    /// Dispatcher entries by [`Why`].
    pub entries_by: [u64; 4],
    /// The last entry and what it returned, when that was a plain pc.
    pub pending: Option<(u64, u64)>,
    /// Times translated code entered at the first pc returned the second,
    /// which is no external entry, so the interpreter went on there.
    pub returned_to_interpreter: std::collections::BTreeMap<(u64, u64), u64>,
}

/// Why the dispatcher entered translated code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Why {
    /// The start, or after a system call or trap served for the interpreter.
    #[default]
    Other = 0,
    /// The interpreter reached an external entry.
    Interpreter = 1,
    /// Translated code returned a pc that no frame expected (a return
    /// address that did not match, a jump to another function's entry).
    Returned = 2,
    /// Translated code ran out of stack budget (`EXIT_BAIL`).
    Bail = 3,
}

impl Stats {
    /// The dispatcher enters translated code at `pc`.
    #[inline]
    pub fn entered(&mut self) {
        self.entries_by[self.why as usize] += 1;
        self.pending = None;
    }

    /// Translated code entered at `from` returned `next`.
    #[inline]
    pub fn left(&mut self, from: u64, next: u64) {
        if self.enabled {
            self.pending = Some((from, next));
        }
    }

    /// The dispatcher goes on in the interpreter.
    #[inline]
    pub fn interpreting(&mut self) {
        if let Some(pair) = self.pending.take() {
            *self.returned_to_interpreter.entry(pair).or_default() += 1;
        }
    }
}

impl Stats {
    /// The report printed at exit; `instret` counts all instructions run.
    pub fn report(&self, instret: u64, links: &Links) -> String {
        let translated = instret.saturating_sub(self.interpreted);
        let share = if instret == 0 {
            0.0
        } else {
            translated as f64 * 100.0 / instret as f64
        };
        format!(
            "c2w-aot stats: guest instructions {instret}: translated {translated} ({share:.2}%), \
             interpreted {}\n\
             c2w-aot stats: dispatcher entries into translated code {} (from the interpreter {}, \
             returned pcs {}, stack budget {}, start and syscalls {}), handed to the interpreter {}\n\
             c2w-aot stats: indirect-branch lookups {}, misses {}",
            self.interpreted,
            self.entries,
            self.entries_by[Why::Interpreter as usize],
            self.entries_by[Why::Returned as usize],
            self.entries_by[Why::Bail as usize],
            self.entries_by[Why::Other as usize],
            self.handed_over,
            links.lookups,
            links.misses
        ) + &self.hot_spots()
            + &self.returns()
    }

    /// The commonest returns of translated code to a pc that is no external
    /// entry (the interpreter went on there), if any.
    fn returns(&self) -> String {
        let mut top: Vec<(u64, (u64, u64))> = self
            .returned_to_interpreter
            .iter()
            .map(|(&pair, &n)| (n, pair))
            .collect();
        if top.is_empty() {
            return String::new();
        }
        top.sort_unstable_by(|a, b| b.cmp(a));
        let top: Vec<String> = top
            .iter()
            .take(5)
            .map(|(n, (from, to))| format!("{from:#x} -> {to:#x} ({n})"))
            .collect();
        format!(
            "\nc2w-aot stats: left translated code for the interpreter (entered at -> returned): {}",
            top.join(", ")
        )
    }

    /// The pcs where most interpreted instructions started, if any.
    fn hot_spots(&self) -> String {
        let mut spots: Vec<(u64, u64)> = self.interpreted_at.iter().map(|(&pc, &n)| (n, pc)).collect();
        spots.sort_unstable_by(|a, b| b.cmp(a));
        let top: Vec<String> = spots
            .iter()
            .take(5)
            .map(|(n, pc)| format!("{pc:#x} ({n})"))
            .collect();
        if top.is_empty() {
            return String::new();
        }
        format!(
            "\nc2w-aot stats: interpreted from (instructions): {}",
            top.join(", ")
        )
    }
}
