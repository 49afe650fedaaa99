#!/usr/bin/env node
// Runs a TypeScript entry point with Node 24's own type stripping (no loader), fetching
// Node 24 first where the machine's Node is older (see node24.mjs). Node flags may come
// before the file: `node scripts/run.mjs --watch server/src/main.ts`.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureNode24, envWithNode } from './node24.mjs';

const node = ensureNode24();
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env: envWithNode(node) });
// Ctrl-C reaches the child from the terminal itself; other signals are passed on.
process.on('SIGINT', () => {});
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('error', (err) => {
  process.stderr.write(`could not run node: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
