import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createService, route } from 'wharf';
import { createCache, useCache } from 'wharf/cache';
import { testService } from 'wharf/testing';
import { cacheContract } from './contract.js';
import { redisKeyspace } from './redis-keys.js';

const REDIS_URL = process.env.REDIS_URL;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  return {
    lines,
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', msg, obj }),
    info: (obj: object, msg: string) => lines.push({ level: 'info', msg, obj }),
  };
}

describe.skipIf(!REDIS_URL)('Redis cache', () => {
  const url = REDIS_URL as string;
  const { admin, uniquePrefix, cleanup } = redisKeyspace(url, 'cache');
  afterAll(cleanup);

  cacheContract(() => {
    const config = { redisUrl: url, defaultTtlMs: 150 };
    return {
      cache: createCache({ ...config, keyPrefix: uniquePrefix() }),
      other: () => createCache({ ...config, keyPrefix: uniquePrefix() }),
      elapse: sleep,
      defaultTtlMs: config.defaultTtlMs,
    };
  });

  it('stores JSON under keyPrefix + key with the ttl in Redis', async () => {
    const keyPrefix = uniquePrefix();
    const cache = createCache({ redisUrl: url, keyPrefix });
    expect(cache.backend).toBe('redis');
    await cache.set('city:1', { name: 'Lyon' }, 30_000);
    expect(await admin.get(`${keyPrefix}city:1`)).toBe('{"name":"Lyon"}');
    const ttl = await admin.pttl(`${keyPrefix}city:1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await cache.close();
  });

  it('misses an entry that is not JSON, as another writer may leave', async () => {
    const keyPrefix = uniquePrefix();
    const cache = createCache({ redisUrl: url, keyPrefix });
    await admin.set(`${keyPrefix}foreign`, 'not json {');
    expect(await cache.get('foreign')).toBeUndefined();
    expect(await cache.wrap('foreign', 1_000, async () => 'fresh')).toBe('fresh');
    await cache.close();
  });

  it('is shared by two caches on the same Redis and prefix', async () => {
    const keyPrefix = uniquePrefix();
    const a = createCache({ redisUrl: url, keyPrefix });
    const b = createCache({ redisUrl: url, keyPrefix });
    await a.set('shared', 'from a', 10_000);
    expect(await b.get('shared')).toBe('from a');
    await Promise.all([a.close(), b.close()]);
  });

  it('reports Redis in readiness through useCache and closes on stop', async () => {
    const cache = createCache({ redisUrl: url, keyPrefix: uniquePrefix() });
    const service = createService({
      name: 'cached',
      config: { log: { level: 'silent' } },
      routes: [],
    });
    useCache(service, cache);
    const t = await testService(service);
    const ready = await t.client.healthReady();
    expect(ready.status).toBe(200);
    expect(ready.data?.checks).toEqual([{ name: 'cache', ok: true }]);
    await t.close();
    // Closed: reads miss instead of failing.
    expect(await cache.get('anything')).toBeUndefined();
  });
});

describe('Redis cache when Redis cannot be reached', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  /** A port where nothing listens: connections are refused at once. */
  const REFUSED = 'redis://127.0.0.1:1';

  /** A server that accepts connections and never answers, like a hung Redis. */
  async function silentServer(): Promise<string> {
    const server = createServer((socket) => sockets.push(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return `redis://127.0.0.1:${port}`;
  }

  for (const [what, target] of [
    ['refuses connections', () => Promise.resolve(REFUSED)],
    ['accepts but never answers', silentServer],
  ] as const) {
    it(`misses, still calls fn, drops writes and warns once when Redis ${what}`, async () => {
      const logger = recordingLogger();
      const cache = createCache(
        { redisUrl: await target(), connectTimeoutMs: 200, commandTimeoutMs: 200 },
        { logger },
      );
      await sleep(50);
      expect(await cache.get('k')).toBeUndefined();
      await expect(cache.set('k', 1, 1_000)).resolves.toBeUndefined();
      await expect(cache.del('k')).resolves.toBeUndefined();
      let calls = 0;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => cache.wrap('k', 1_000, async () => ++calls)),
      );
      expect(results).toEqual([1, 1, 1, 1, 1]);
      expect(await cache.wrap('k', 1_000, async () => ++calls)).toBe(2);
      const warnings = logger.lines.filter(
        (l) => l.level === 'warn' && l.msg.startsWith('cache unavailable'),
      );
      expect(warnings).toHaveLength(1);
      await expect(cache.ping()).rejects.toThrow();
      await cache.close();
    });
  }

  it('fails readiness through useCache while the service keeps serving', async () => {
    const cache = createCache({ redisUrl: REFUSED, connectTimeoutMs: 200 });
    const service = createService({
      name: 'cached',
      config: { log: { level: 'silent' } },
      routes: [
        route({
          method: 'GET',
          url: '/answer',
          name: 'answer',
          handler: () => cache.wrap('answer', 1_000, async () => 42),
        }),
      ],
    });
    useCache(service, cache);
    const t = await testService(service);
    expect((await t.client.answer()).data).toBe(42);
    const ready = await t.client.healthReady();
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ error: { checks: [{ name: 'cache', ok: false }] } });
    await t.close();
  });

  it('can leave Redis out of readiness', async () => {
    const cache = createCache({ redisUrl: REFUSED });
    const service = createService({
      name: 'cached',
      config: { log: { level: 'silent' } },
      routes: [],
    });
    useCache(service, cache, { readiness: false });
    const t = await testService(service);
    expect((await t.client.healthReady()).status).toBe(200);
    await t.close();
  });
});
