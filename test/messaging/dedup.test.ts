import { describe, expect, it } from 'vitest';
import { MessageDeduplicator } from 'wharf/messaging';
import { gate } from './brokers.js';

describe('MessageDeduplicator', () => {
  it('runs the work of a message id once and skips it when the id comes again', async () => {
    const seen = new MessageDeduplicator();
    const runs: string[] = [];
    expect(await seen.once('m1', () => runs.push('m1'))).toBe(true);
    expect(await seen.once('m1', () => runs.push('m1 again'))).toBe(false);
    expect(await seen.once('m2', () => runs.push('m2'))).toBe(true);
    expect(runs).toEqual(['m1', 'm2']);
    expect(seen.has('m1')).toBe(true);
  });

  it('does not remember a failure, so the retry runs', async () => {
    const seen = new MessageDeduplicator();
    await expect(
      seen.once('m1', () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(seen.has('m1')).toBe(false);
    expect(await seen.once('m1', () => {})).toBe(true);
  });

  it('makes a duplicate that arrives while the first runs wait for it and then skip', async () => {
    const seen = new MessageDeduplicator();
    const hold = gate();
    let runs = 0;
    const first = seen.once('m1', async () => {
      runs++;
      await hold.promise;
    });
    const second = seen.once('m1', () => {
      runs++;
    });
    hold.open();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(runs).toBe(1);
  });

  it('forgets the least recently seen ids beyond its capacity', async () => {
    const seen = new MessageDeduplicator(2);
    await seen.once('a', () => {});
    await seen.once('b', () => {});
    await seen.once('a', () => {}); // a is now the most recent
    await seen.once('c', () => {});
    expect(seen.has('a')).toBe(true);
    expect(seen.has('b')).toBe(false);
    expect(seen.has('c')).toBe(true);
  });
});
