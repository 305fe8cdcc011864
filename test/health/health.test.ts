import { describe, expect, it } from 'vitest';
import { createHealth } from 'wharf';

const never = () => new Promise<never>(() => {});

describe('createHealth', () => {
  it('is ready with no checks', async () => {
    const health = createHealth({ checkTimeoutMs: 1000 });

    await expect(health.check()).resolves.toEqual({ ready: true, checks: [] });
    expect(health.stopping).toBe(false);
  });

  it('reports each passing check by name', async () => {
    const health = createHealth({ checkTimeoutMs: 1000 });
    health.register('db', async () => 'pong');
    health.register('cache', () => true);

    await expect(health.check()).resolves.toEqual({
      ready: true,
      checks: [
        { name: 'db', ok: true },
        { name: 'cache', ok: true },
      ],
    });
  });

  it('is not ready when a check rejects, throws or throws a non-error', async () => {
    const health = createHealth({ checkTimeoutMs: 1000 });
    health.register('db', async () => {
      throw new Error('connection refused');
    });
    health.register('cache', () => {
      throw new Error('no socket');
    });
    health.register('queue', () => Promise.reject('down'));
    health.register('disk', () => undefined);

    const { ready, checks } = await health.check();

    expect(ready).toBe(false);
    expect(checks).toEqual([
      { name: 'db', ok: false, error: 'connection refused' },
      { name: 'cache', ok: false, error: 'no socket' },
      { name: 'queue', ok: false, error: 'down' },
      { name: 'disk', ok: true },
    ]);
  });

  it('fails a check that takes longer than the check timeout', async () => {
    const health = createHealth({ checkTimeoutMs: 20 });
    health.register('db', never);

    const { ready, checks } = await health.check();

    expect(ready).toBe(false);
    expect(checks).toEqual([{ name: 'db', ok: false, error: 'timed out after 20 ms' }]);
  });

  it('replaces a check registered again under the same name', async () => {
    const health = createHealth({ checkTimeoutMs: 1000 });
    health.register('db', () => {
      throw new Error('old client');
    });
    health.register('db', () => 'ok');

    await expect(health.check()).resolves.toEqual({
      ready: true,
      checks: [{ name: 'db', ok: true }],
    });
  });

  it('is not ready once stopping, even when every check passes', async () => {
    const health = createHealth({ checkTimeoutMs: 1000 });
    health.register('db', () => 'ok');
    health.markStopping();

    expect(health.stopping).toBe(true);
    await expect(health.check()).resolves.toEqual({
      ready: false,
      checks: [{ name: 'db', ok: true }],
    });
  });
});
