import { describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamUnavailableError } from 'wharf';
import { createBreaker, createClient } from 'wharf/client';
import { mockUpstreams } from 'wharf/testing';

function fakeClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after threshold consecutive failures and refuses calls while open', () => {
    const clock = fakeClock();
    const breaker = createBreaker({ threshold: 3, coolDownMs: 1_000, now: clock.now });
    for (let i = 0; i < 3; i++) breaker.acquire()?.fail();
    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toBeUndefined();
  });

  it('counts only consecutive failures: a success starts over', () => {
    const breaker = createBreaker({ threshold: 3, coolDownMs: 1_000 });
    breaker.acquire()?.fail();
    breaker.acquire()?.fail();
    breaker.acquire()?.succeed();
    breaker.acquire()?.fail();
    breaker.acquire()?.fail();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one probe through after the cool-down, and closes when it succeeds', () => {
    const clock = fakeClock();
    const breaker = createBreaker({ threshold: 1, coolDownMs: 1_000, now: clock.now });
    breaker.acquire()?.fail();
    clock.advance(999);
    expect(breaker.acquire()).toBeUndefined();
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.acquire();
    expect(probe).toBeDefined();
    expect(breaker.acquire()).toBeUndefined();
    probe?.succeed();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toBeDefined();
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const clock = fakeClock();
    const breaker = createBreaker({ threshold: 1, coolDownMs: 1_000, now: clock.now });
    breaker.acquire()?.fail();
    clock.advance(1_000);
    breaker.acquire()?.fail();
    expect(breaker.state).toBe('open');
    clock.advance(999);
    expect(breaker.acquire()).toBeUndefined();
    clock.advance(1);
    expect(breaker.acquire()).toBeDefined();
  });

  it('lets another probe through when the probe ended without a verdict', () => {
    const clock = fakeClock();
    const breaker = createBreaker({ threshold: 1, coolDownMs: 10, now: clock.now });
    breaker.acquire()?.fail();
    clock.advance(10);
    breaker.acquire()?.release();
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire()).toBeDefined();
  });

  it('ignores late results of calls let in before the circuit opened', () => {
    const clock = fakeClock();
    const breaker = createBreaker({ threshold: 2, coolDownMs: 1_000, now: clock.now });
    const early = breaker.acquire();
    const late = breaker.acquire();
    breaker.acquire()?.fail();
    early?.fail();
    expect(breaker.state).toBe('open');
    late?.succeed();
    expect(breaker.state).toBe('open');
  });

  it('never opens with a threshold of 0', () => {
    const breaker = createBreaker({ threshold: 0, coolDownMs: 1_000 });
    for (let i = 0; i < 50; i++) breaker.acquire()?.fail();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toBeDefined();
  });
});

describe('circuit breaker of a client', () => {
  function setup(threshold = 3) {
    const clock = fakeClock();
    const upstreams = mockUpstreams({ now: clock.now });
    const cities = upstreams.clients({
      client: { breakerThreshold: threshold, breakerCoolDownMs: 5_000, retries: 0 },
    });
    return { clock, upstreams, client: cities.get('cities'), mock: upstreams.mock('cities') };
  }

  it('answers UPSTREAM_UNAVAILABLE at once, without calling, once 5xx answers opened it', async () => {
    const { upstreams, client, mock } = setup();
    mock.get('/cities/1').replyError(500, 'BOOM').persist();
    for (let i = 0; i < 3; i++)
      await expect(client.get('/cities/1')).rejects.toThrow(UpstreamError);
    expect(client.circuit).toBe('open');
    const err = await client.get('/cities/1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      error: { upstream: 'cities', reason: 'circuit-open' },
    });
    expect(mock.calls).toHaveLength(3);
    await upstreams.close();
  });

  it('counts connection errors too', async () => {
    const { upstreams, client, mock } = setup(2);
    mock.get('/x').fail().times(2);
    await expect(client.get('/x')).rejects.toMatchObject({ reason: 'connection' });
    await expect(client.get('/x')).rejects.toMatchObject({ reason: 'connection' });
    await expect(client.get('/x')).rejects.toMatchObject({ reason: 'circuit-open' });
    await upstreams.close();
  });

  it('never counts 4xx answers', async () => {
    const { upstreams, client, mock } = setup(2);
    mock.get('/cities/9').replyError(404, 'CITY_NOT_FOUND').persist();
    for (let i = 0; i < 5; i++) {
      await expect(client.get('/cities/9')).rejects.toMatchObject({ upstreamStatus: 404 });
    }
    expect(client.circuit).toBe('closed');
    await upstreams.close();
  });

  it('sends one probe after the cool-down and closes when it succeeds', async () => {
    const { clock, upstreams, client, mock } = setup(1);
    mock.get('/n').replyError(503, 'DOWN');
    await expect(client.get('/n')).rejects.toThrow(UpstreamError);
    clock.advance(5_000);
    expect(client.circuit).toBe('half-open');
    mock.get('/n').replyData(1).delay(20);
    const probe = client.get('/n');
    await expect(client.get('/n')).rejects.toMatchObject({ reason: 'circuit-open' });
    expect(await probe).toBe(1);
    expect(client.circuit).toBe('closed');
    mock.get('/n').replyData(2);
    expect(await client.get('/n')).toBe(2);
    await upstreams.close();
  });

  it('ends the retries of a call with its last answer once they opened the circuit', async () => {
    const clock = fakeClock();
    const upstreams = mockUpstreams({ now: clock.now });
    const client = createClient({
      name: 'cities',
      baseUrl: 'http://cities.test',
      dispatcher: upstreams.agent,
      sleep: async () => {},
      breakerThreshold: 2,
      retries: 5,
    });
    const mock = upstreams.mock('cities');
    mock.get('/n').replyError(503, 'DOWN').persist();
    await expect(client.get('/n')).rejects.toMatchObject({ upstreamStatus: 503 });
    expect(client.circuit).toBe('open');
    expect(mock.calls).toHaveLength(2);
    await upstreams.close();
  });
});
