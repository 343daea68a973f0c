// Runs a WASI preview 1 module (such as one c2w-aot built) under node.
//
//   node run.mjs [--dir HOST::GUEST]... [--env K=V]... [--] MODULE [ARGS...]
//
// Standard input, output and error are node's own. The exit status is the
// module's (0 if _start returns); a trap ends the run with status 134, as
// `c2w-aot run` does.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { WASI } from 'node:wasi';

const TRAP_STATUS = 134;

// Node 20's V8 sometimes crashes (SIGSEGV in HandlerTable::LookupRange) when
// proc_exit unwinds the Wasm stack of a long run whose functions were
// re-compiled by dynamic tier-up; compiling each function once avoids it.
v8.setFlagsFromString('--no-wasm-dynamic-tiering');

function usage(message) {
  process.stderr.write(`run.mjs: ${message}\n` +
    'usage: node run.mjs [--dir HOST::GUEST]... [--env K=V]... [--] MODULE [ARGS...]\n');
  process.exit(2);
}

const preopens = {};
const env = {};
const argv = process.argv.slice(2);
while (argv.length > 0 && argv[0].startsWith('--')) {
  const option = argv.shift();
  if (option === '--') break;
  const value = argv.shift();
  if (value === undefined) usage(`${option} needs a value`);
  if (option === '--dir') {
    const [host, guest = host] = value.split('::');
    preopens[guest] = host;
  } else if (option === '--env') {
    const eq = value.indexOf('=');
    if (eq < 0) usage(`--env ${value}: expected K=V`);
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else {
    usage(`unknown option ${option}`);
  }
}
const modulePath = argv.shift();
if (modulePath === undefined) usage('no module given');

const wasi = new WASI({
  version: 'preview1',
  args: [basename(modulePath), ...argv],
  env,
  preopens,
  returnOnExit: true,
});

try {
  const module = await WebAssembly.compile(await readFile(modulePath));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance);
} catch (error) {
  process.stderr.write(`run.mjs: error: ${basename(modulePath)}: ${error}\n`);
  process.exitCode = error instanceof WebAssembly.RuntimeError ? TRAP_STATUS : 1;
}
