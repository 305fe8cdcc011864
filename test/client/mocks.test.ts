import { describe, expect, it } from 'vitest';
import { mockUpstreams, testService, UnmatchedUpstreamCallError } from 'wharf/testing';
import { citiesService, tripsService } from './fixtures.js';

async function tripsHarness(config: Parameters<typeof tripsService>[1] = {}) {
  const upstreams = mockUpstreams();
  const service = tripsService(upstreams.clients(config), config);
  return testService(service, { upstreams });
}

describe('upstream mocks in the test harness', () => {
  it('answers a handler’s upstream call with the declared data', async () => {
    const t = await tripsHarness();
    t.mock('cities').get('/cities/1').replyData({ id: 1, name: 'Lyon' });
    const res = await t.client.getTrip({ params: { cityId: 1 } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ destination: 'Lyon' });
    await t.close();
  });

  it('lets the handler map an upstream 404 to its own', async () => {
    const t = await tripsHarness();
    t.mock('cities').get('/cities/9').replyError(404, 'CITY_NOT_FOUND', 'No city 9');
    const res = await t.client.getTrip({ params: { cityId: 9 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'NOT_FOUND', message: 'No trips to city 9' });
    await t.close();
  });

  it('turns an uncaught upstream error into 502 UPSTREAM_ERROR naming the upstream and its code', async () => {
    const t = await tripsHarness();
    t.mock('cities').get('/cities/1').replyError(500, 'CITY_DB_DOWN', 'db down', { secret: 1 });
    const res = await t.client.getTrip({ params: { cityId: 1 } });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'Upstream "cities" answered 500 CITY_DB_DOWN',
      error: { upstream: 'cities', status: 500, code: 'CITY_DB_DOWN' },
    });
    await t.close();
  });

  it('retries through the mocks: a 503 followed by an answer succeeds', async () => {
    const t = await tripsHarness();
    const cities = t.mock('cities');
    cities.get('/cities/1').replyError(503, 'BUSY');
    cities.get('/cities/1').replyData({ id: 1, name: 'Lyon' });
    const res = await t.client.getTrip({ params: { cityId: 1 } });
    expect(res.data).toEqual({ destination: 'Lyon' });
    expect(cities.calls).toHaveLength(2);
    await t.close();
  });

  it('answers 503 UPSTREAM_UNAVAILABLE once the upstream’s circuit is open', async () => {
    const t = await tripsHarness({ client: { breakerThreshold: 1, retries: 0 } });
    t.mock('cities').get('/cities/1').fail().persist();
    expect((await t.client.getTrip({ params: { cityId: 1 } })).body).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      error: { upstream: 'cities', reason: 'connection' },
    });
    const res = await t.client.getTrip({ params: { cityId: 1 } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'Upstream "cities" is unavailable: its circuit is open',
      error: { upstream: 'cities', reason: 'circuit-open' },
    });
    expect(t.mock('cities').calls).toHaveLength(1);
    await t.close();
  });

  it('answers 504 UPSTREAM_TIMEOUT when the upstream answers after the deadline', async () => {
    const t = await tripsHarness({ client: { deadlineMs: 50 } });
    t.mock('cities').get('/cities/1').replyData({ id: 1, name: 'Lyon' }).delay(500);
    const res = await t.client.getTrip({ params: { cityId: 1 } });
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT', error: { timeout: 'deadline' } });
    await t.close();
  });

  it('fails the test when a call matches no mock, naming its method and URL', async () => {
    const t = await tripsHarness();
    t.mock('cities').get('/cities/1').replyData({ id: 1, name: 'Lyon' });
    const res = await t.client.getTrip({ params: { cityId: 2 } });
    expect(res.status).toBe(500);
    await expect(t.close()).rejects.toThrow(
      /matched no mock:\n {2}GET http:\/\/cities\.test\/cities\/2 \(upstream "cities"\)/,
    );
  });

  it('rejects the unmatched call itself with an error that says how to declare it', async () => {
    const upstreams = mockUpstreams();
    const cities = upstreams.clients().get('cities');
    const err = await cities.post('/cities', { body: { name: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnmatchedUpstreamCallError);
    expect((err as Error).message).toBe(
      "No mock answers POST http://cities.test/cities: declare it with t.mock('cities').post('/cities')…",
    );
    expect(() => upstreams.verify()).toThrow('1 upstream call(s) matched no mock');
    await expect(upstreams.close()).rejects.toThrow('POST http://cities.test/cities');
  });

  it('matches query and body, and replies with a raw body as it is', async () => {
    const upstreams = mockUpstreams();
    const api = upstreams.clients().get('search');
    const search = upstreams.mock('search');
    search
      .get('/find', { query: { q: 'lyon' }, headers: { 'X-Tenant': 't1' } })
      .reply(200, { hits: 1 });
    search.post('/index', { body: { id: 1 } }).reply(202, 'queued');
    expect(await api.get('/find', { query: { q: 'lyon' }, headers: { 'x-tenant': 't1' } })).toEqual(
      {
        hits: 1,
      },
    );
    expect(await api.post('/index', { body: { id: 1 } })).toBe('queued');
    expect(search.calls.map((call) => [call.method, call.url, call.body])).toEqual([
      ['GET', 'http://search.test/find?q=lyon', undefined],
      ['POST', 'http://search.test/index', { id: 1 }],
    ]);
    await expect(api.post('/index', { body: { id: 2 } })).rejects.toThrow(
      UnmatchedUpstreamCallError,
    );
    await expect(upstreams.close()).rejects.toThrow('matched no mock');
  });

  it('reports declared answers that were never used from verify()', async () => {
    const upstreams = mockUpstreams();
    upstreams.clients();
    upstreams.mock('cities').get('/cities/1').replyData({ id: 1 });
    expect(() => upstreams.verify()).toThrow(/pending/i);
    await upstreams.close();
  });

  it('mocks the base URL the configuration gives, path prefix included', async () => {
    const upstreams = mockUpstreams();
    const config = { client: { upstreams: { cities: { url: 'http://gateway:9000/cities-api' } } } };
    const cities = upstreams.clients(config).get('cities');
    const mock = upstreams.mock('cities');
    mock.get('/cities/1').replyData({ id: 1 });
    expect(await cities.get('/cities/1')).toEqual({ id: 1 });
    expect(mock.calls[0]?.url).toBe('http://gateway:9000/cities-api/cities/1');
    await upstreams.close();
  });

  it('explains that t.mock() needs upstream mocks', async () => {
    const t = await testService(citiesService());
    expect(() => t.mock('cities')).toThrow('testService(service, { upstreams })');
    await t.close();
  });
});
