//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turns a container image into one WebAssembly (WASI preview 1) module.
#[derive(Debug, Parser)]
#[command(name = "c2w-aot", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a module from a static (or static-pie) riscv64 or x86_64 ELF
    /// file, or a rootfs folder.
    Build(BuildArgs),
    /// Run a module built by `c2w-aot build`, exiting with the program's status.
    Run(RunArgs),
    /// Describe an ELF file: its ISA, linking, segments, and for riscv64 and
    /// x86_64 the functions code discovery finds, their coverage, and the
    /// unimplemented instructions they hold.
    Inspect {
        /// The ELF file.
        input: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// A static (or static-pie) riscv64 or x86_64 ELF file (placed in the
    /// image at /<file name>) or a rootfs folder (all its files are
    /// embedded).
    pub input: PathBuf,
    /// The module to write.
    #[arg(short, long, value_name = "OUT.wasm")]
    pub output: PathBuf,
    /// The program to run: its absolute path inside the image. Required for
    /// a folder; for a file, where to place it.
    #[arg(long, value_name = "PATH")]
    pub entrypoint: Option<String>,
    /// An environment variable of the program (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Do not translate ahead of time: run everything in the bundled
    /// interpreter (for comparison).
    #[arg(long)]
    pub interp_only: bool,
    /// Threads that translate (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Default arguments, used when the module is run without any.
    #[arg(last = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The module.
    pub module: PathBuf,
    /// Make a host directory visible to the program at a guest path
    /// (HOST::GUEST; HOST alone uses the same path). Repeatable.
    #[arg(long = "dir", value_name = "HOST::GUEST", value_parser = parse_dir)]
    pub dirs: Vec<(PathBuf, String)>,
    /// An environment variable for the program, overriding the image's
    /// (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    pub env: Vec<(String, String)>,
    /// Arguments, replacing the image's default arguments.
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
    /// wasmtime's compiler: cranelift (fastest code) or winch (fastest
    /// compilation).
    #[arg(long, value_name = "NAME", default_value = "cranelift", value_parser = parse_compiler)]
    pub compiler: c2w_aot::Compiler,
}

fn parse_dir(value: &str) -> Result<(PathBuf, String), String> {
    match value.split_once("::") {
        Some((host, guest)) if !host.is_empty() && !guest.is_empty() => {
            Ok((host.into(), guest.to_string()))
        }
        Some(_) => Err("expected HOST::GUEST with both paths given".into()),
        None => Ok((value.into(), value.to_string())),
    }
}

fn parse_env(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err("expected KEY=VALUE".into()),
    }
}

fn parse_compiler(name: &str) -> Result<c2w_aot::Compiler, String> {
    match name {
        "cranelift" => Ok(c2w_aot::Compiler::Cranelift),
        "winch" => Ok(c2w_aot::Compiler::Winch),
        other => Err(format!("unknown compiler {other:?} (cranelift or winch)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_mappings() {
        assert_eq!(parse_dir("a::/b"), Ok(("a".into(), "/b".to_string())));
        assert_eq!(
            parse_dir("/data"),
            Ok(("/data".into(), "/data".to_string()))
        );
        assert!(parse_dir("a::").is_err());
    }

    #[test]
    fn env_entries() {
        assert_eq!(parse_env("A=b=c"), Ok(("A".to_string(), "b=c".to_string())));
        assert!(parse_env("A").is_err());
        assert!(parse_env("=x").is_err());
    }

    #[test]
    fn build_command_line() {
        let cli = Cli::try_parse_from([
            "c2w-aot",
            "build",
            "prog",
            "-o",
            "out.wasm",
            "--env",
            "A=1",
            "--interp-only",
            "--",
            "x",
            "-y",
        ])
        .unwrap();
        let Command::Build(args) = cli.command else {
            panic!("not a build")
        };
        assert_eq!(args.cmd, ["x", "-y"]);
        assert_eq!(args.env, ["A=1"]);
        assert!(args.interp_only);
    }
}
