import { afterEach } from 'vitest';

// A test that leaves a rejection unhandled fails, with what it was: in a server, Node ends
// the process on one. Registered before the test's own hooks, so this runs after them
// (after the app's close).
const seen: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  seen.push(reason);
});

afterEach(async () => {
  // A rejection of the close itself surfaces a turn later.
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (seen.length === 0) return;
  const found = seen.splice(0).map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)));
  throw new Error(`unhandled rejections during the test:\n${found.join('\n')}`);
});
