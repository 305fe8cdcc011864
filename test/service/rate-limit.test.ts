import { afterAll, describe, expect, it } from 'vitest';
import { type CoreConfig, createService, type DeepPartial, route } from 'wharf';
import { type TestHarness, testService } from 'wharf/testing';
import { redisKeyspace } from '../cache/redis-keys.js';

type Config = DeepPartial<CoreConfig>;

const REDIS_URL = process.env.REDIS_URL;

/** A service with a limited login, an exempt ping and a plain list. */
function limitedService(config: Config = {}, name = 'cities') {
  return createService({
    name,
    config: { log: { level: 'silent' }, ...config },
    routes: [
      route({ method: 'GET', url: '/cities', name: 'listCities', handler: () => [] }),
      route({
        method: 'POST',
        url: '/login',
        name: 'login',
        rateLimit: { max: 2, windowMs: 60_000 },
        handler: () => ({ token: 't' }),
      }),
      route({
        method: 'GET',
        url: '/ping',
        name: 'ping',
        rateLimit: false,
        handler: () => 'pong',
      }),
    ],
  });
}

/** One request from the client address `ip`. */
async function hit(
  t: Pick<TestHarness<never>, 'request'>,
  method: 'GET' | 'POST',
  url: string,
  ip = '203.0.113.1',
) {
  return t.request({ method, url, remoteAddress: ip });
}

describe('rate limits', () => {
  it('are off for routes without their own limit by default', async () => {
    const t = await testService(limitedService());
    for (let i = 0; i < 20; i++) {
      const res = await hit(t, 'GET', '/cities');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    await t.close();
  });

  it("answer 429 RATE_LIMITED in the envelope with Retry-After past a route's own limit", async () => {
    const t = await testService(limitedService());
    const first = await hit(t, 'POST', '/login');
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect((await hit(t, 'POST', '/login')).status).toBe(200);

    const refused = await hit(t, 'POST', '/login');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^Too many requests, retry in \d+ s$/),
      error: { retryAfter: expect.any(Number) },
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((refused.body as { error: { retryAfter: number } }).error.retryAfter).toBe(retryAfter);
    expect(refused.headers['x-ratelimit-limit']).toBe('2');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['x-ratelimit-reset'])).toBe(retryAfter);
    // Other routes are not affected.
    expect((await hit(t, 'GET', '/cities')).status).toBe(200);
    await t.close();
  });

  it('count each client address on its own', async () => {
    const t = await testService(limitedService());
    for (let i = 0; i < 2; i++) await hit(t, 'POST', '/login', '203.0.113.1');
    expect((await hit(t, 'POST', '/login', '203.0.113.1')).status).toBe(429);
    expect((await hit(t, 'POST', '/login', '203.0.113.2')).status).toBe(200);
    await t.close();
  });

  it('ignore X-Forwarded-For unless Fastify trusts the proxy', async () => {
    const t = await testService(limitedService());
    for (let i = 0; i < 2; i++) await hit(t, 'POST', '/login');
    const spoofed = await t.request({
      method: 'POST',
      url: '/login',
      remoteAddress: '203.0.113.1',
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(spoofed.status).toBe(429);
    await t.close();
  });

  it('let a client in again once the window has passed', async () => {
    const t = await testService(
      limitedService({ rateLimit: { global: true, max: 1, windowMs: 50 } }),
    );
    expect((await hit(t, 'GET', '/cities')).status).toBe(200);
    expect((await hit(t, 'GET', '/cities')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await hit(t, 'GET', '/cities')).status).toBe(200);
    await t.close();
  });

  it('apply rateLimit.max per windowMs to every route when global, except exempt routes and health probes', async () => {
    const t = await testService(limitedService({ rateLimit: { global: true, max: 3 } }));
    for (let i = 0; i < 3; i++) expect((await hit(t, 'GET', '/cities')).status).toBe(200);
    const refused = await hit(t, 'GET', '/cities');
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    // A route's own limit replaces the global one.
    expect((await hit(t, 'POST', '/login')).headers['x-ratelimit-limit']).toBe('2');
    for (let i = 0; i < 10; i++) {
      expect((await hit(t, 'GET', '/ping')).status).toBe(200);
      expect((await hit(t, 'GET', '/health/live')).status).toBe(200);
      expect((await hit(t, 'GET', '/health/ready')).status).toBe(200);
    }
    await t.close();
  });

  it('refuse to start with a route limit that cannot work', async () => {
    const service = createService({
      name: 'cities',
      config: { log: { level: 'silent' } },
      routes: [
        route({
          method: 'GET',
          url: '/cities',
          name: 'listCities',
          rateLimit: { max: 0, windowMs: 1_000 },
          handler: () => [],
        }),
      ],
    });
    await expect(service.ready()).rejects.toThrow(
      'Route "listCities": rateLimit.max must be a positive integer, got 0',
    );
  });

  it('let requests through when Redis cannot be reached, without hanging', async () => {
    const t = await testService(
      limitedService({ rateLimit: { redisUrl: 'redis://127.0.0.1:1', commandTimeoutMs: 100 } }),
    );
    for (let i = 0; i < 5; i++) expect((await hit(t, 'POST', '/login')).status).toBe(200);
    await t.close();
  });
});

describe.skipIf(!REDIS_URL)('rate limits in Redis', () => {
  const { uniquePrefix, cleanup } = redisKeyspace(REDIS_URL as string, 'ratelimit');
  afterAll(cleanup);

  it('are shared by two replicas of a service, on rateLimit.redisUrl or else cache.redisUrl', async () => {
    const rateLimit = { keyPrefix: uniquePrefix(), global: true, max: 3 };
    const a = await testService(
      limitedService({ rateLimit: { ...rateLimit, redisUrl: REDIS_URL } }),
    );
    const b = await testService(limitedService({ rateLimit, cache: { redisUrl: REDIS_URL } }));
    expect((await hit(a, 'GET', '/cities')).status).toBe(200);
    expect((await hit(b, 'GET', '/cities')).status).toBe(200);
    expect((await hit(a, 'GET', '/cities')).status).toBe(200);
    const refused = await hit(b, 'GET', '/cities');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Route limits are shared too.
    expect((await hit(a, 'POST', '/login')).status).toBe(200);
    expect((await hit(b, 'POST', '/login')).status).toBe(200);
    expect((await hit(a, 'POST', '/login')).status).toBe(429);
    await Promise.all([a.close(), b.close()]);
  });

  it('keep services of other names apart', async () => {
    const rateLimit = { redisUrl: REDIS_URL, keyPrefix: uniquePrefix(), global: true, max: 1 };
    const cities = await testService(limitedService({ rateLimit }, 'cities'));
    const roles = await testService(limitedService({ rateLimit }, 'roles'));
    expect((await hit(cities, 'GET', '/cities')).status).toBe(200);
    expect((await hit(roles, 'GET', '/cities')).status).toBe(200);
    expect((await hit(cities, 'GET', '/cities')).status).toBe(429);
    await Promise.all([cities.close(), roles.close()]);
  });
});
