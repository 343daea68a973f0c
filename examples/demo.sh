#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine and run c2w-aot end to end: compile
# a static x86_64 program, translate it to one .wasm, run it on wasmtime.
# DEMO_ARCH=riscv64 does the same with a riscv64 cross compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
arch=${DEMO_ARCH:-x86_64}
case "$arch" in
    x86_64) cc=gcc; packages="gcc libc6-dev" ;;
    riscv64) cc=riscv64-linux-gnu-gcc; packages="gcc-riscv64-linux-gnu libc6-dev-riscv64-cross" ;;
    *) echo "DEMO_ARCH must be x86_64 or riscv64" >&2; exit 2 ;;
esac
if ! command -v "$cc" >/dev/null; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq $packages
fi
rustup target add wasm32-wasip1

out=target/demo
mkdir -p "$out"
"$cc" -static -O2 examples/hello.c -o "$out/hello"
cargo build -p c2w-aot
./target/debug/c2w-aot inspect "$out/hello"
./target/debug/c2w-aot build "$out/hello" -o "$out/hello.wasm" -- world
echo "--- run with the built-in arguments"
./target/debug/c2w-aot run "$out/hello.wasm" || echo "(exit status $?)"
echo "--- run with other arguments"
./target/debug/c2w-aot run "$out/hello.wasm" -- wasm wasi || echo "(exit status $?)"
