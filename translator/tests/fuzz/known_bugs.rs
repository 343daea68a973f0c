//! Instruction forms the generator leaves out because they show a known bug
//! in one of the backends (or are not implemented). Each entry says what is
//! wrong; when a fix lands, delete the entry and the fuzzer tests the form
//! again. A template whose text hits an entry is dropped whole (and another
//! one generated), so everything else keeps its coverage.

/// A form: an instruction line starting with `starts` and containing
/// `contains`.
pub struct Bug {
    pub starts: &'static str,
    pub contains: &'static str,
    pub why: &'static str,
}

pub const BUGS: &[Bug] = &[
    // x87 loads of 80-bit encodings the CPU rejects as invalid operands
    // (unnormals, pseudo-NaNs, pseudo-infinities: random tbytes with the
    // explicit integer bit clear): both backends convert them as if valid
    // (e.g. `fld tbyte [m]; fstp qword [m']` gives 0x7ff800000000007a, the
    // CPU 0xfff8000000000000, the default NaN, and IE).
    Bug { starts: "fld tbyte", contains: "", why: "unnormal/pseudo-NaN tbytes not invalid" },
];

/// MXCSR.FTZ and MXCSR.DAZ: both backends implement them (`RM_FTZ`,
/// `RM_DAZ`), so inputs set them. False would keep them clear.
pub const FTZ_DAZ: bool = true;

/// Whether `C2W_FUZZ_ALL=1` asks for the excluded forms too.
pub fn all() -> bool {
    static ALL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ALL.get_or_init(|| std::env::var_os("C2W_FUZZ_ALL").is_some_and(|v| v == "1"))
}

/// The x87 exception flags compared (FSW bits 0..5). Both backends miss
/// or add DE, OE, UE and PE in places: `fscale` to a tiny result then
/// `fisttp`: cpu IE|UE|PE (0x31), got IE (0x01); `fstp dword` of a double
/// too large for a float: cpu OE|PE (0x28), got PE (0x20); a sequence
/// with `fscale; fsqrt; fcomi; fisttp`: cpu 0x31, got IE|DE (0x03). Only
/// IE and ZE are compared until those are fixed (0x3f then).
pub const X87_EXCEPTIONS: u16 = 0x05;

/// [`X87_EXCEPTIONS`], or all six with `C2W_FUZZ_ALL=1`.
pub fn x87_exceptions() -> u16 {
    if all() {
        0x3f
    } else {
        X87_EXCEPTIONS
    }
}

pub fn excluded(line: &str) -> bool {
    if all() {
        return false;
    }
    BUGS.iter()
        .any(|b| line.starts_with(b.starts) && line.contains(b.contains))
}
