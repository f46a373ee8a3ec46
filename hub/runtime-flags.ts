// The Node.js flags a hub process runs with. V8 sizes its heap when the process starts, so they
// cannot be set from inside it: every way of starting a hub passes them on the command line.
// package.json's `start` and the Dockerfile spell them out (hub/e2e/runtime-flags.test.ts checks
// that both carry these); the tests' and benchmarks' launchers take them from here.

/**
 * V8's young generation at most 4 MB per semi-space (V8's own limit here is 16 MB). A scavenge
 * stops the whole hub, every connection at once, for as long as it copies what survives, and
 * what survives grows with the time between two scavenges. At 200 messages/s with 16 MB a
 * scavenge came every 0.6 s and the longest stopped the hub for 18–25 ms; with 4 MB they come
 * four times as often and the longest took 6–13 ms. The collector's time in all grows by about
 * half (1–3% of a core); the saturation rate stayed within its spread (loadtest/RESULTS.md,
 * "The hub's young generation").
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
