import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, drainLog, logDestination } from 'wharf';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fileLogger(batchBytes = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-drain-'));
  dirs.push(dir);
  const file = join(dir, 'service.log');
  const destination = logDestination(file, { batchBytes });
  const logger = createLogger({ name: 'cities', level: 'info', destination });
  const written = () =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).msg as string);
  return { logger, written };
}

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i}`);

describe('drainLog', () => {
  it('resolves once every line logged before it is written, in order', async () => {
    const { logger, written } = await fileLogger();
    for (const msg of numbered(500)) logger.info(msg);

    await drainLog(logger, 5_000);

    // Read synchronously: no write may complete between the drain and the check.
    expect(written()).toEqual(numbered(500));
  });

  it('writes batched lines too, without waiting for the flush interval', async () => {
    const { logger, written } = await fileLogger(8 * 1024);
    for (const msg of numbered(50)) logger.info(msg);

    await drainLog(logger, 5_000);

    expect(written()).toEqual(numbered(50));
  });

  it('does not wait out its timeout on a file still opening, an idle one or a memory stream', async () => {
    // A wait for the timeout would outlast the test's own time limit.
    const { logger } = await fileLogger();
    await drainLog(logger, 60_000);
    await drainLog(logger, 60_000);

    const memory = createLogger({ name: 'cities', level: 'info', destination: { write() {} } });
    await expect(drainLog(memory, 60_000)).resolves.toBeUndefined();
  });

  it('gives up after its timeout when the destination never drains', async () => {
    const stalled = Object.assign(new EventEmitter(), { write() {}, flush() {} });
    const logger = createLogger({ name: 'cities', level: 'info', destination: stalled });
    logger.info('stuck');

    await expect(drainLog(logger, 30)).resolves.toBeUndefined();
    expect(stalled.listenerCount('drain')).toBe(0);
  });
});
