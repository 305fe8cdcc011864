import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from 'wharf';
import { createClient, type HttpClient } from 'wharf/client';
import {
  freePort,
  hangingPort,
  type LocalServer,
  recordingSleep,
  sendJson,
  startServer,
} from './servers.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const s = await startServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function client(options: Parameters<typeof createClient>[0]): HttpClient {
  const c = createClient(options);
  cleanups.push(() => c.close());
  return c;
}

describe('service client over HTTP', () => {
  it('reuses one keep-alive connection for sequential calls', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { code: 0, message: 'ok', data: 1 }));
    const c = client({ name: 'up', baseUrl: s.url });
    for (let i = 0; i < 20; i++) {
      await c.get('/n');
      // Calls from successive incoming requests have event-loop turns between them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(s.requests).toHaveLength(20);
    expect(s.connections).toBe(1);
  });

  it('keeps back-to-back calls on at most two connections', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { code: 0, message: 'ok', data: 1 }));
    const c = client({ name: 'up', baseUrl: s.url });
    // undici waits one event-loop turn before it reuses a socket, so a call sent the
    // moment the previous one ended takes a second connection, and the two alternate.
    for (let i = 0; i < 20; i++) await c.get('/n');
    expect(s.requests).toHaveLength(20);
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('bounds the connections of concurrent calls by the connections setting', async () => {
    const held: (() => void)[] = [];
    const s = await server((_req, res) => {
      held.push(() => sendJson(res, 200, { code: 0, message: 'ok', data: 1 }));
    });
    const c = client({ name: 'up', baseUrl: s.url, connections: 3 });
    const calls = Array.from({ length: 9 }, () => c.get('/n'));
    await vi.waitFor(() => expect(held.length).toBe(3));
    expect(s.connections).toBe(3);
    while (s.requests.length < 9 || held.length > 0) {
      for (const answer of held.splice(0)) answer();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(calls);
    expect(s.connections).toBe(3);
  });

  it('returns data of a success envelope and plain JSON bodies as they are', async () => {
    const s = await server((req, res) => {
      if (req.url === '/wharf') sendJson(res, 200, { code: 0, message: 'ok', data: { id: 1 } });
      else sendJson(res, 200, { id: 2, name: 'plain' });
    });
    const c = client({ name: 'up', baseUrl: s.url });
    expect(await c.get('/wharf')).toEqual({ id: 1 });
    expect(await c.get('/plain')).toEqual({ id: 2, name: 'plain' });
  });

  it('throws UpstreamError with the upstream status, code, message and detail of an error envelope', async () => {
    const s = await server((_req, res) =>
      sendJson(res, 404, { code: 'CITY_NOT_FOUND', message: 'No city 9', error: { id: 9 } }),
    );
    const c = client({ name: 'cities', baseUrl: s.url });
    const err = await c.get('/cities/9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      status: 502,
      code: 'UPSTREAM_ERROR',
      upstream: 'cities',
      upstreamStatus: 404,
      upstreamCode: 'CITY_NOT_FOUND',
      upstreamMessage: 'No city 9',
      upstreamError: { id: 9 },
      error: { upstream: 'cities', status: 404, code: 'CITY_NOT_FOUND' },
    });
  });

  it('throws UpstreamError without a code for an error status of a plain HTTP service', async () => {
    const s = await server((_req, res) => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('short and stout');
    });
    const c = client({ name: 'pot', baseUrl: s.url });
    await expect(c.get('/')).rejects.toMatchObject({
      upstreamStatus: 418,
      upstreamCode: undefined,
      upstreamMessage: "I'm a Teapot",
      upstreamError: 'short and stout',
    });
  });

  it('gives the answer as it came from request(), whatever its status', async () => {
    const s = await server((_req, res) => sendJson(res, 409, { code: 'TAKEN', message: 'taken' }));
    const c = client({ name: 'up', baseUrl: s.url });
    const res = await c.request('PUT', '/x', { body: { a: 1 } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ code: 'TAKEN', message: 'taken' });
  });

  it('sends the query, JSON body and headers, under the base URL path', async () => {
    let received = '';
    const s = await server((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received = body;
        sendJson(res, 201, { code: 0, message: 'ok', data: null });
      });
    });
    const c = client({ name: 'up', baseUrl: `${s.url}/api/` });
    const data = await c.post('/items', {
      query: { tag: ['a', 'b'], limit: 2, skip: undefined },
      body: { name: 'Lyon' },
      headers: { 'X-Trace-Me': 'yes' },
    });
    expect(data).toBeNull();
    const [req] = s.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/api/items?tag=a&tag=b&limit=2');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-trace-me']).toBe('yes');
    expect(JSON.parse(received)).toEqual({ name: 'Lyon' });
  });

  it('fails a call whose response body is larger than maxResponseBytes with UpstreamError', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { blob: 'x'.repeat(5_000) }));
    const c = client({ name: 'up', baseUrl: s.url, maxResponseBytes: 1_000 });
    await expect(c.get('/big')).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      upstreamError: { limit: 1_000 },
    });
  });
});

describe('timeouts', () => {
  it('fails with UPSTREAM_UNAVAILABLE when a connection cannot be opened in connectTimeoutMs', async () => {
    const target = await hangingPort();
    cleanups.push(() => target.close());
    const c = client({
      name: 'unreachable',
      baseUrl: `http://127.0.0.1:${target.port}`,
      connectTimeoutMs: 100,
      retries: 0,
    });
    const err = await c.get('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ reason: 'connection' });
    expect((err as Error).cause).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT' });
  });

  it('fails with UPSTREAM_TIMEOUT (headers) when the response headers do not come in time', async () => {
    const s = await server(() => {}); // never answers
    const c = client({ name: 'slow', baseUrl: s.url, headersTimeoutMs: 100, retries: 0 });
    const err = await c.get('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT', phase: 'headers' });
  });

  it('fails with UPSTREAM_TIMEOUT (body) when the body stalls', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"code":0,');
    });
    const c = client({ name: 'slow', baseUrl: s.url, bodyTimeoutMs: 100 });
    await expect(c.get('/')).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', phase: 'body' });
  });

  it('ends the whole call at its deadline, even while the upstream is still working', async () => {
    const s = await server(() => {});
    const c = client({ name: 'slow', baseUrl: s.url });
    const err = await c.get('/', { deadlineMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect(err).toMatchObject({
      phase: 'deadline',
      error: { upstream: 'slow', timeout: 'deadline' },
    });
  });

  it('rejects with the caller’s reason when the caller aborts', async () => {
    const s = await server(() => {});
    const c = client({ name: 'slow', baseUrl: s.url });
    const controller = new AbortController();
    const call = c.get('/', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 20);
    await expect(call).rejects.toThrow('caller gave up');
  });
});

describe('retries', () => {
  it('retries an idempotent call on 503 with exponential backoff and full jitter', async () => {
    const s = await server((_req, res) => sendJson(res, 503, { code: 'BUSY', message: 'busy' }));
    const { waits, sleep } = recordingSleep();
    const c = client({ name: 'up', baseUrl: s.url, sleep, random: () => 0.5, retries: 3 });
    await expect(c.get('/')).rejects.toMatchObject({ upstreamStatus: 503, upstreamCode: 'BUSY' });
    expect(s.requests).toHaveLength(4);
    // Up to 100, 200, 400 ms; half of each with random() = 0.5.
    expect(waits).toEqual([50, 100, 200]);
  });

  it('caps every backoff wait at retryMaxDelayMs', async () => {
    const s = await server((_req, res) => sendJson(res, 502, {}));
    const { waits, sleep } = recordingSleep();
    const c = client({
      name: 'up',
      baseUrl: s.url,
      sleep,
      random: () => 0.999,
      retries: 4,
      retryDelayMs: 100,
      retryMaxDelayMs: 250,
    });
    await expect(c.get('/')).rejects.toMatchObject({ upstreamStatus: 502 });
    expect(waits).toEqual([99, 199, 249, 249]);
  });

  it('returns the answer of a retry that succeeds', async () => {
    const s = await server((_req, res, index) =>
      index < 2
        ? sendJson(res, 504, { code: 'GATEWAY', message: 'later' })
        : sendJson(res, 200, { code: 0, message: 'ok', data: 'third time' }),
    );
    const c = client({ name: 'up', baseUrl: s.url, sleep: recordingSleep().sleep });
    expect(await c.get('/')).toBe('third time');
    expect(s.requests).toHaveLength(3);
  });

  it('never retries POST or PATCH unless the call says it is idempotent', async () => {
    const s = await server((_req, res) => sendJson(res, 503, { code: 'BUSY', message: 'busy' }));
    const c = client({ name: 'up', baseUrl: s.url, sleep: recordingSleep().sleep });
    await expect(c.post('/', { body: {} })).rejects.toMatchObject({ upstreamStatus: 503 });
    await expect(c.patch('/', { body: {} })).rejects.toMatchObject({ upstreamStatus: 503 });
    expect(s.requests).toHaveLength(2);
    await expect(c.post('/', { body: {}, idempotent: true })).rejects.toMatchObject({
      upstreamStatus: 503,
    });
    expect(s.requests).toHaveLength(5);
  });

  it('does not retry other error statuses', async () => {
    const s = await server((_req, res) => sendJson(res, 500, { code: 'BUG', message: 'bug' }));
    const c = client({ name: 'up', baseUrl: s.url, sleep: recordingSleep().sleep });
    await expect(c.get('/')).rejects.toMatchObject({ upstreamStatus: 500 });
    expect(s.requests).toHaveLength(1);
  });

  it('waits what Retry-After asks when it is within retryMaxDelayMs', async () => {
    const s = await server((_req, res, index) =>
      index === 0
        ? sendJson(res, 503, { code: 'BUSY', message: 'busy' }, { 'retry-after': '1' })
        : sendJson(res, 200, { code: 0, message: 'ok', data: 'done' }),
    );
    const { waits, sleep } = recordingSleep();
    const c = client({ name: 'up', baseUrl: s.url, sleep, retryMaxDelayMs: 2_000 });
    expect(await c.get('/')).toBe('done');
    expect(waits).toEqual([1_000]);
  });

  it('gives up at once when Retry-After asks for more than retryMaxDelayMs', async () => {
    const s = await server((_req, res) =>
      sendJson(res, 503, { code: 'BUSY', message: 'busy' }, { 'retry-after': '120' }),
    );
    const { waits, sleep } = recordingSleep();
    const c = client({ name: 'up', baseUrl: s.url, sleep, retryMaxDelayMs: 2_000 });
    await expect(c.get('/')).rejects.toMatchObject({ upstreamStatus: 503 });
    expect(s.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries a refused connection, then fails with UPSTREAM_UNAVAILABLE', async () => {
    const port = await freePort();
    const { waits, sleep } = recordingSleep();
    const c = client({ name: 'gone', baseUrl: `http://127.0.0.1:${port}`, sleep });
    const err = await c.get('/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      error: { upstream: 'gone', reason: 'connection' },
    });
    expect(waits).toHaveLength(2);
  });

  it('does not retry a timed-out attempt', async () => {
    const s = await server(() => {});
    const c = client({ name: 'slow', baseUrl: s.url, headersTimeoutMs: 50 });
    await expect(c.get('/')).rejects.toMatchObject({ phase: 'headers' });
    expect(s.requests).toHaveLength(1);
  });
});
