// The Node flags the server process runs with: `npm start` (scripts/start.mjs), the bench
// (scripts/bench/procs.ts) and the image (Dockerfile's CMD, held to this list by
// test/integration/compose.test.ts). Plain JavaScript: start.mjs runs before any build.
//
// --max-semi-space-size=4: V8 grows the young generation up to 32 MB per semi-space under a
// steady message load, and each scavenge then copies everything allocated in the last second
// that is still alive: 5 ms median, 12–15 ms at the 90th percentile, once a second, in the
// relay phase of `npm run bench` (1,000 msg/s). Each such pause holds every message in
// flight, and set the relay p99. With 4 MB the scavenges come ~7 times as often and take
// 1.2–1.4 ms (p90 1.9 ms); the relay p99 fell from 13.6–16.6 ms to 4.9–6.5 ms over five
// runs, with no more CPU per message.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];
