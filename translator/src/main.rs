//! The `c2w-aot` command.

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use c2w_aot::{BuildOptions, RunOptions, Stdin};
use cli::{Cli, Command};

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(status) => status,
        Err(err) => {
            eprintln!("c2w-aot: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            let report = c2w_aot::build(&BuildOptions {
                input: args.input,
                output: args.output,
                entrypoint: args.entrypoint,
                env: args.env,
                cmd: (!args.cmd.is_empty()).then_some(args.cmd),
                interp_only: args.interp_only,
                threads: args.jobs,
                progress: true,
            })?;
            for warning in &report.warnings {
                eprintln!("c2w-aot: warning: {warning}");
            }
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => {
            let output = c2w_aot::run(&RunOptions {
                module: args.module,
                dirs: args.dirs,
                env: with_runtime_settings(args.env),
                args: args.args,
                stdin: Stdin::Inherit,
                capture: false,
                compiler: args.compiler,
            })?;
            // The program's output went straight to ours; the status is
            // passed on as the process's (Linux keeps its low 8 bits).
            let _ = std::io::stdout().flush();
            Ok(ExitCode::from(output.status as u8))
        }
        Command::Inspect { input } => {
            print!("{}", c2w_aot::inspect(&input)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prefix of the environment variables that configure the runtime
/// (`C2W_STRACE`, ...).
const RUNTIME_VAR_PREFIX: &str = "C2W_";

/// `env` plus the runtime settings of our own environment, so that
/// `C2W_STRACE=1 c2w-aot run app.wasm` works; `--env` wins over them.
fn with_runtime_settings(mut env: Vec<(String, String)>) -> Vec<(String, String)> {
    for (key, value) in std::env::vars() {
        if key.starts_with(RUNTIME_VAR_PREFIX) && !env.iter().any(|(k, _)| *k == key) {
            env.push((key, value));
        }
    }
    env
}
