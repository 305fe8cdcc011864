import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreConfig, createService, type DeepPartial, route, type Service, Type } from 'wharf';

const REQUEST_TIMEOUT_MS = 200;

const running: Service[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** A service on a real socket (127.0.0.1, a free port); returns its port. */
async function listening(
  http: DeepPartial<CoreConfig['http']> = {},
  setup: (service: Service) => void = () => {},
): Promise<{ port: number }> {
  const service = createService({
    name: 'sockets',
    config: {
      log: { level: 'silent' },
      openapi: { enabled: false },
      http: { host: '127.0.0.1', port: 0, ...http },
    },
    routes: [
      route({
        method: 'POST',
        url: '/cities',
        name: 'createCity',
        body: Type.Object({ name: Type.String() }),
        handler: ({ body }) => body,
      }),
      route({ method: 'GET', url: '/cities', name: 'listCities', handler: () => [] }),
    ],
  });
  running.push(service);
  setup(service);
  const url = await service.listen();
  return { port: Number(new URL(url).port) };
}

interface RawResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, as text. */
  raw: string;
}

/**
 * Send raw bytes over TCP and collect everything until the server closes the connection
 * (or `waitMs` passes, which fails the test rather than hanging it).
 */
function exchange(port: number, chunks: string[], waitMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${waitMs} ms; got ${JSON.stringify(received)}`));
    }, waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      received += data;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

function parse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  expect(split, `no header block in ${JSON.stringify(raw)}`).toBeGreaterThan(0);
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(statusLine);
  expect(match, `bad status line ${JSON.stringify(statusLine)}`).not.toBeNull();
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(match?.[1]),
    reason: match?.[2] ?? '',
    headers,
    body: raw.slice(split + 4),
    raw,
  };
}

function expectEnvelope(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
  const body = JSON.parse(res.body) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(body.message).toEqual(expect.any(String));
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
}

describe('errors raised below the router, on the socket', () => {
  it('answers a garbage request line with a 400 BAD_REQUEST envelope', async () => {
    const { port } = await listening();
    const res = parse(await exchange(port, ['HELLO THERE\r\n\r\n']));
    expectEnvelope(res, 400, 'BAD_REQUEST');
    expect(res.reason).toBe('Bad Request');
  });

  it('answers a header block over maxHeaderBytes with a 431 HEADERS_TOO_LARGE envelope', async () => {
    const { port } = await listening({ maxHeaderBytes: 1024 });
    const request = `GET /cities HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`;
    const res = parse(await exchange(port, [request]));
    expectEnvelope(res, 431, 'HEADERS_TOO_LARGE');
  });

  it('still serves a header block under maxHeaderBytes', async () => {
    const { port } = await listening({ maxHeaderBytes: 1024 });
    const request = `GET /cities HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Small: ${'a'.repeat(200)}\r\n\r\n`;
    const res = parse(await exchange(port, [request]));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ code: 0, message: 'ok', data: [] });
  });

  it('answers a request not received within requestTimeoutMs with a 408 REQUEST_TIMEOUT envelope', async () => {
    const { port } = await listening({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    // Half a request: the header block never ends.
    const res = parse(await exchange(port, ['GET /cities HTTP/1.1\r\nHost: x\r\n']));
    expectEnvelope(res, 408, 'REQUEST_TIMEOUT');
  });

  it('answers 408 in the envelope when the body stops arriving', async () => {
    const { port } = await listening({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const head =
      'POST /cities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n';
    const res = parse(await exchange(port, [head, '{"name":']));
    expectEnvelope(res, 408, 'REQUEST_TIMEOUT');
  });

  it('never writes an error response into a response already under way', async () => {
    const { port } = await listening({ requestTimeoutMs: REQUEST_TIMEOUT_MS }, (service) => {
      service.app.addHook('onRequest', (request, reply, done) => {
        if (request.url !== '/stream') return done();
        // A hook that answers before the body is in, then stalls.
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/plain' });
        reply.raw.write('partial');
      });
    });
    const head = 'POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n';
    const raw = await exchange(port, [head, 'only some']);
    expect(raw.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
    expect(raw).not.toContain('REQUEST_TIMEOUT');
  });
});

describe('errors Fastify raises before routing, over a real socket', () => {
  it('answers a URL that cannot be decoded with a 400 BAD_REQUEST envelope', async () => {
    const { port } = await listening();
    const res = parse(
      await exchange(port, ['GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers a chunked body over bodyLimit with a 413 PAYLOAD_TOO_LARGE envelope', async () => {
    const { port } = await listening({ bodyLimit: 100 });
    const json = JSON.stringify({ name: 'x'.repeat(300) });
    const chunks = json.match(/.{1,40}/g) ?? [];
    const head =
      'POST /cities HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = chunks.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
    const res = parse(await exchange(port, [head, ...body, '0\r\n\r\n']));
    expect(res.status).toBe(413);
    expect(res.headers['content-length']).toBeDefined();
    expect(JSON.parse(res.body)).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is larger than 100 bytes',
      error: { limit: 100 },
    });
  });

  it('accepts a chunked body under bodyLimit', async () => {
    const { port } = await listening({ bodyLimit: 100 });
    const json = JSON.stringify({ name: 'Oslo' });
    const head =
      'POST /cities HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const res = parse(
      await exchange(port, [head, `${json.length.toString(16)}\r\n${json}\r\n`, '0\r\n\r\n']),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ code: 0, message: 'ok', data: { name: 'Oslo' } });
  });
});
