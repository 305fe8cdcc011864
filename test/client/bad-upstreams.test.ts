import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamUnavailableError } from 'wharf';
import { createClient, type HttpClient } from 'wharf/client';
import { sendJson, startServer } from './servers.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

/** A TCP server that answers every request with `answer`, byte for byte, then closes. */
async function rawServer(answer: string): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => socket.end(answer));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function jsonServer(status: number, body: Buffer | object): Promise<string> {
  const s = await startServer((_req, res) => {
    if (!Buffer.isBuffer(body)) return sendJson(res, status, body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  cleanups.push(() => s.close());
  return s.url;
}

function client(options: Parameters<typeof createClient>[0]): HttpClient {
  const c = createClient({ retries: 0, ...options });
  cleanups.push(() => c.close());
  return c;
}

describe('an upstream that answers what cannot be used', () => {
  it.each([
    ['a garbage status line', 'NONSENSE\r\n\r\n'],
    ['a bad header', 'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n'],
    [
      'broken chunked framing',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n',
    ],
    ['a body shorter than its Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{}'],
  ])('fails with UPSTREAM_UNAVAILABLE on %s, counted by the breaker', async (_, answer) => {
    const url = await rawServer(answer);
    const c = client({ name: 'cities', baseUrl: url, breakerThreshold: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await c.get('/cities').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamUnavailableError);
      expect(err).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    }
    expect(c.circuit).toBe('open');
  });

  it('fails with UpstreamError on a 2xx that claims JSON but is not, counted by the breaker', async () => {
    const url = await jsonServer(200, Buffer.from('{"data": '));
    const c = client({ name: 'cities', baseUrl: url, breakerThreshold: 1 });
    await expect(c.get('/cities')).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      upstreamMessage: 'Response body is not valid JSON',
    });
    expect(c.circuit).toBe('open');
  });

  it('fails with UpstreamError on JSON that is not valid UTF-8, rather than altering it', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"Troms'), Buffer.from([0xf8, 0x22, 0x7d])]);
    const c = client({ name: 'cities', baseUrl: await jsonServer(200, body) });
    const err = await c.get('/cities/1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ upstreamMessage: 'Response body is not valid UTF-8' });
  });

  it('passes on only a code-like error code, never a message or a secret put in its place', async () => {
    const leak = 'PG: password authentication failed for user admin@db.internal:5432';
    const c = client({
      name: 'cities',
      baseUrl: await jsonServer(500, { code: leak, message: 'boom' }),
    });
    const err = (await c.get('/cities').catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.upstreamCode).toBeUndefined();
    expect(err.error).toEqual({ upstream: 'cities', status: 500, code: undefined });
    expect(err.message).not.toContain('admin');
    expect(err.upstreamError).toBeUndefined();
  });
});

describe('a call', () => {
  it('keeps its answer when an onCall listener throws', async () => {
    const c = client({
      name: 'cities',
      baseUrl: await jsonServer(200, { code: 0, message: 'ok', data: 7 }),
      onCall: () => {
        throw new Error('broken metrics');
      },
    });
    expect(await c.get('/n')).toBe(7);
  });

  it('refuses a deadline or retry count outside the bounds of the client settings', async () => {
    const c = client({ name: 'cities', baseUrl: await jsonServer(200, {}) });
    await expect(c.get('/n', { deadlineMs: 3e9 })).rejects.toThrow(
      'deadlineMs must be an integer from 1 to 600000, got 3000000000',
    );
    await expect(c.get('/n', { deadlineMs: 0.5 })).rejects.toThrow(RangeError);
    await expect(c.get('/n', { retries: 30 })).rejects.toThrow(
      'retries must be an integer from 0 to 10, got 30',
    );
  });
});
