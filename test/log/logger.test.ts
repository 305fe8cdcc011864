import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, isoTime, logDestination } from 'wharf';

function capture(level: 'info' | 'warn') {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'cities',
    level,
    destination: { write: (chunk: string) => void lines.push(chunk) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON line with the service name, a level label and an ISO time', () => {
    const { logger, lines } = capture('info');
    logger.info({ city: 'Lyon' }, 'loaded');

    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({ level: 'info', service: 'cities', city: 'Lyon', msg: 'loaded' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');

    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
  });
});

describe('isoTime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the same time as toISOString, across seconds and for every width of milliseconds', () => {
    vi.useFakeTimers();
    const time = isoTime();
    const start = Date.parse('2026-11-24T23:59:58.000Z');
    for (const offset of [0, 7, 42, 999, 1000, 1003, 1999, 2000, 61_234]) {
      vi.setSystemTime(start + offset);
      const expected = new Date(start + offset).toISOString();
      expect(time()).toBe(`,"time":"${expected}"`);
    }
  });
});

describe('logDestination', () => {
  it('writes batched lines to a file within its flush interval, without an explicit flush', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-log-'));
    const file = join(dir, 'service.log');
    const destination = logDestination(file, { batchBytes: 4096 });
    const logger = createLogger({ name: 'cities', level: 'info', destination });
    logger.info('first');
    logger.info('second');

    await vi.waitFor(
      async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        expect(
          text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l).msg),
        ).toEqual(['first', 'second']);
      },
      { timeout: 2000, interval: 20 },
    );
    (destination as unknown as { end(): void }).end();
    await rm(dir, { recursive: true, force: true });
  });
});
