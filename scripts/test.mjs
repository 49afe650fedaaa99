#!/usr/bin/env node
// `npm test`: typecheck, lint, build, then the unit, integration and browser tests, stopping at
// the first failure. Plain Node, like start.mjs, so that it can install dependencies first.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reexecOnNode24 } from './node24.mjs';
import { buildWorkspaces, checkNode, createLog, ensureInstalled, onPath, root, run } from './start.mjs';

// On an older Node this fetches Node 24 from the npm registry and runs again with it.
await reexecOnNode24();

const CHROMIUM = '/usr/bin/chromium';
const log = createLog('test');

checkNode(log);
const missing = [];
if (!onPath('redis-server')) {
  missing.push(
    'redis-server is not installed; the integration and browser tests start their own. Install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).',
  );
}
if (!existsSync(CHROMIUM)) {
  missing.push(
    `Chromium is not at ${CHROMIUM}; the browser tests drive Debian's Chromium. Install it with \`sudo apt-get install -y chromium\`.`,
  );
}
if (missing.length > 0) {
  log.fail(`npm test cannot run everything:\n- ${missing.join('\n- ')}`);
  process.exit(1);
}

ensureInstalled(log);

const resultsDir = mkdtempSync(join(tmpdir(), 'sl-test-results-'));
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
/** @type {{ project: string, passed: number, failed: number, skipped: number }[]} */
const counts = [];

function vitest(project) {
  const out = join(resultsDir, `${project}.json`);
  // No --passWithNoTests: a project that finds no test files fails, so a broken include cannot pass.
  const code = run(process.execPath, [
    vitestBin,
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const counted = { project, passed: 0, failed: 0, skipped: 0 };
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    // A file that fails to load has no failed test of its own; count it as one failure.
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    counted.passed = r.numPassedTests ?? 0;
    counted.failed = (r.numFailedTests ?? 0) + brokenFiles;
    counted.skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
  // A run that failed without a failing test (no test files, a crash) still counts as one failure.
  if (code !== 0 && counted.failed === 0) counted.failed = 1;
  counts.push(counted);
  return code === 0;
}

const steps = [
  { name: 'typecheck', retry: 'npm run typecheck', run: () => run('npm', ['run', 'typecheck']) === 0 },
  { name: 'lint', retry: 'npm run lint', run: () => run('npm', ['run', 'lint']) === 0 },
  { name: 'build', retry: 'npm run build', run: () => buildWorkspaces(log) },
  { name: 'unit tests', retry: 'npm run test:unit', run: () => vitest('unit') },
  { name: 'integration tests', retry: 'npm run test:integration', run: () => vitest('integration') },
  { name: 'browser tests', retry: 'npm run test:browser', run: () => vitest('browser') },
];

const timings = [];
let failedStep = null;
for (const step of steps) {
  log(`── ${step.name}`);
  const started = Date.now();
  const ok = step.run();
  timings.push(`${step.name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok) {
    failedStep = step;
    break;
  }
}
rmSync(resultsDir, { recursive: true, force: true });

console.log('');
log(timings.join(' · '));
if (counts.length > 0) {
  const sum = (k) => counts.reduce((n, c) => n + c[k], 0);
  log(counts.map((c) => `${c.project}: ${c.passed} passed, ${c.failed} failed`).join(' · '));
  console.log(`tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
}
if (failedStep) {
  log.fail(
    `npm test stopped: ${failedStep.name} failed (see above). Rerun just that with \`${failedStep.retry}\`.`,
  );
  process.exit(1);
}
log('all steps passed');
