//! Building the image manifest (segment 0 of the linked module).

use anyhow::{bail, Result};
use c2w_syscalls::image::{Manifest, MANIFEST_VERSION};

use crate::elf::Arch;
use crate::image::Image;

/// Initial working directory of the program.
const WORKDIR: &str = "/";

/// What the manifest records besides the image's files.
#[derive(Clone, Debug, Default)]
pub struct Settings<'a> {
    /// Default arguments (Docker's CMD).
    pub cmd: &'a [String],
    /// `KEY=VALUE` entries.
    pub env: &'a [String],
    pub interp_only: bool,
}

/// The manifest for `image`, whose entrypoint runs on `arch`.
pub fn build(image: &Image, arch: Arch, settings: &Settings) -> Result<Manifest> {
    Ok(Manifest {
        version: MANIFEST_VERSION,
        arch: arch.name().to_string(),
        entrypoint: vec![image.entrypoint.clone()],
        cmd: settings.cmd.to_vec(),
        env: env(settings.env)?,
        workdir: WORKDIR.to_string(),
        files: image.files.clone(),
        interp_only: settings.interp_only,
        translation: None,
    })
}

/// Checks `KEY=VALUE` entries; a key given twice keeps its last value, at its
/// first position.
fn env(entries: &[String]) -> Result<Vec<String>> {
    let mut env: Vec<String> = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some((key, _)) = entry.split_once('=') else {
            bail!("--env {entry:?}: expected KEY=VALUE");
        };
        if key.is_empty() {
            bail!("--env {entry:?}: the variable name is empty");
        }
        let prefix = format!("{key}=");
        match env.iter_mut().find(|e| e.starts_with(&prefix)) {
            Some(existing) => existing.clone_from(entry),
            None => env.push(entry.clone()),
        }
    }
    Ok(env)
}

/// The manifest as stored in segment 0.
pub fn to_json(manifest: &Manifest) -> Vec<u8> {
    serde_json::to_vec(manifest).expect("a manifest always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn env_keeps_order_and_last_value() {
        let env = env(&strings(&["A=1", "B=2", "A=3", "C="])).unwrap();
        assert_eq!(env, strings(&["A=3", "B=2", "C="]));
    }

    #[test]
    fn env_rejects_entries_without_a_key() {
        assert!(env(&strings(&["NOVALUE"]))
            .unwrap_err()
            .to_string()
            .contains("KEY=VALUE"));
        assert!(env(&strings(&["=x"]))
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }
}
