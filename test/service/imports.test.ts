import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = 'test/service/fixtures';
// Starting node with tsx takes seconds on a busy machine.
const PROCESS_TEST_MS = 60_000;

/** The packages a service loads from start to stop, run in a process of its own. */
async function packagesLoaded(env: Record<string, string> = {}): Promise<string[]> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      `./${FIXTURES}/record-imports.mjs`,
      `${FIXTURES}/plain-service.ts`,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, timeout: PROCESS_TEST_MS },
  );
  expect(stdout).toContain('ready and stopped');
  return [...stderr.matchAll(/^package: (\S+)$/gm)].map((match) => match[1] ?? '');
}

describe('what a service imports', () => {
  it(
    'leaves out the JWT library, the rate limiter and the Redis client until a route needs them',
    async () => {
      const plain = await packagesLoaded();
      expect(plain).toContain('fastify');
      expect(plain).not.toContain('jose');
      expect(plain).not.toContain('@fastify/rate-limit');
      expect(plain).not.toContain('ioredis');

      // Counters in memory: the limiter loads, Redis still does not.
      const secured = await packagesLoaded({ FIXTURE_PROTECTED: '1' });
      expect(secured).toContain('jose');
      expect(secured).toContain('@fastify/rate-limit');
      expect(secured).not.toContain('ioredis');
    },
    PROCESS_TEST_MS * 2,
  );
});
