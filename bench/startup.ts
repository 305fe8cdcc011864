import { setTimeout as sleep } from 'node:timers/promises';
import { readRss } from './proc-stats.js';
import { median, type StartupReport } from './report.js';
import type { ServerSpec } from './scenarios.js';
import { type ServerProcess, startServer } from './server-process.js';

/** How often a starting server is asked for the path. */
const POLL_MS = 2;
/** How long a server is left idle after its first answer before its RSS is read. */
const SETTLE_MS = 500;
const FIRST_ANSWER_TIMEOUT_MS = 30_000;

/**
 * Spawn the server `starts` times; each time, the milliseconds from spawn to its first 200
 * on `path`, and its RSS once it has settled. The port is only known from its READY line,
 * printed right after it listens, so polling starts there.
 */
export async function measureStartup(
  spec: ServerSpec,
  path: string,
  starts: number,
  pin: boolean,
): Promise<StartupReport> {
  const startMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < starts; i++) {
    const server = await startServer(spec, pin);
    try {
      startMs.push((await firstAnswer(server, path)) - server.spawnedAt);
      await sleep(SETTLE_MS);
      rss.push(readRss(server.pid));
    } finally {
      await server.stop();
    }
  }
  return { server: spec.name, startMs, medianStartMs: median(startMs), idleRssBytes: median(rss) };
}

/** performance.now() when `path` first answered 200. */
async function firstAnswer(server: ServerProcess, path: string): Promise<number> {
  const deadline = performance.now() + FIRST_ANSWER_TIMEOUT_MS;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${server.baseUrl}${path}`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // Not accepting yet: ask again.
    }
    await sleep(POLL_MS);
  }
  throw new Error(
    `${server.name} did not answer 200 on ${path} within ${FIRST_ANSWER_TIMEOUT_MS} ms`,
  );
}
