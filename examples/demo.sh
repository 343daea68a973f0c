#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine and run c2w-aot end to end:
# compile a riscv64 program, translate it to one .wasm, run it on wasmtime.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v riscv64-linux-gnu-gcc >/dev/null; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
fi
rustup target add wasm32-wasip1

out=target/demo
mkdir -p "$out"
riscv64-linux-gnu-gcc -static -O2 examples/hello.c -o "$out/hello"
cargo build -p c2w-aot
./target/debug/c2w-aot inspect "$out/hello"
./target/debug/c2w-aot build "$out/hello" -o "$out/hello.wasm" -- world
echo "--- run with the built-in arguments"
./target/debug/c2w-aot run "$out/hello.wasm" || echo "(exit status $?)"
echo "--- run with other arguments"
./target/debug/c2w-aot run "$out/hello.wasm" -- wasm wasi || echo "(exit status $?)"
