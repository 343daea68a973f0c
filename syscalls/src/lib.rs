//! The Linux syscall layer of c2w-aot: a small kernel for one guest process
//! over a [`Host`] trait (WASI in the runtime, [`native::NativeHost`] in
//! tests). Guest-ISA independent; each ISA's numbers and struct layouts are
//! in [`riscv64`] and [`x86_64`], chosen through [`abi`] by the arch of the
//! loaded program.
//!
//! [`Kernel::new`] builds the process (file tree from the image manifest plus
//! the host's preopened directories, argv, environment), [`Kernel::start`]
//! loads the entrypoint like execve (and fixes the guest arch from its
//! `e_machine`), and [`Kernel::syscall`] runs one syscall on the CPU state.

pub mod abi;
pub mod errno;
pub mod fd;
pub mod host;
pub mod image;
pub mod kernel;
pub mod layout;
pub mod linux;
pub mod loader;
pub mod mem;
pub mod mm;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod riscv64;
pub mod strace;
mod sys;
pub mod table;
pub mod vfs;
pub mod x86_64;

#[cfg(test)]
mod tests;

pub use errno::Errno;
pub use host::Host;
pub use kernel::{Error, Kernel, Outcome, Start};
