import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.js';
import {
  luaString,
  parseWrkJson,
  runWrk,
  wrkAvailable,
  wrkProblems,
  wrkScript,
} from '../../bench/wrk.js';

const GOOD_OUTPUT = `Running 1s test @ http://127.0.0.1:3000/hello
  1 threads and 4 connections
Requests/sec:  20000.00
WRK_JSON {"requests":20000,"duration_us":1000000,"connect_errors":0,"read_errors":1,"write_errors":2,"status_errors":3,"timeouts":4,"p50_us":150,"p99_us":1234}
`;

describe('parseWrkJson', () => {
  it('reads the figures of the done hook line', () => {
    expect(parseWrkJson(GOOD_OUTPUT)).toEqual({
      requests: 20000,
      durationUs: 1_000_000,
      reqPerSec: 20000,
      p50Us: 150,
      p99Us: 1234,
      connectErrors: 0,
      readErrors: 1,
      writeErrors: 2,
      statusErrors: 3,
      timeouts: 4,
    });
  });

  it('names what wrk printed when the line is missing', () => {
    expect(() => parseWrkJson('Running 1s test\n', 'unable to connect')).toThrow(
      /no WRK_JSON line[\s\S]*Running 1s test[\s\S]*unable to connect/,
    );
  });
});

describe('wrkProblems', () => {
  it('passes a clean run and names every kind of failure', () => {
    const clean = parseWrkJson(GOOD_OUTPUT.replace(/"(\w+_errors|timeouts)":\d+/g, '"$1":0'));
    expect(wrkProblems(clean)).toBeUndefined();
    expect(wrkProblems(parseWrkJson(GOOD_OUTPUT))).toBe(
      '3 errors (connect 0, read 1, write 2), 4 timeouts, 3 answers with status >= 400',
    );
  });
});

describe('wrkScript', () => {
  it('escapes quotes, backslashes, newlines and non-ASCII bytes', () => {
    expect(luaString('a"b\\c\nd')).toBe('"a\\034b\\092c\\010d"');
    // A digit after an escape must not be read as part of it.
    expect(luaString('\n1')).toBe('"\\0101"');
    expect(luaString('é')).toBe('"\\195\\169"');
  });

  it('sets the method, body and headers of the request', () => {
    const script = wrkScript({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-quote': 'say "hi"' },
      body: '{"name":"a\\"b"}\n',
    });
    expect(script).toContain('wrk.method = "POST"\n');
    expect(script).toContain('wrk.body = "{\\034name\\034:\\034a\\092\\034b\\034}\\010"\n');
    expect(script).toContain('wrk.headers["content-type"] = "application/json"\n');
    expect(script).toContain('wrk.headers["x-quote"] = "say \\034hi\\034"\n');
    expect(script).toContain('function done(summary, latency, requests)');
  });

  it('leaves the body out of a request without one', () => {
    expect(wrkScript({ method: 'GET' })).not.toContain('wrk.body');
  });
});

describe('--load-generator', () => {
  const installed = () => true;
  const missing = () => false;

  it('defaults to wrk when installed, autocannon otherwise', () => {
    expect(parseOptions([], {}, installed).loadGenerator).toBe('wrk');
    expect(parseOptions([], {}, missing).loadGenerator).toBe('autocannon');
  });

  it('takes the choice given', () => {
    const args = ['--load-generator', 'autocannon'];
    expect(parseOptions(args, {}, installed).loadGenerator).toBe('autocannon');
    expect(parseOptions(['--load-generator', 'wrk'], {}, installed).loadGenerator).toBe('wrk');
  });

  it('refuses an unknown generator, and wrk when it is not installed', () => {
    expect(() => parseOptions(['--load-generator', 'ab'], {}, installed)).toThrow(
      /must be wrk or autocannon, got "ab"/,
    );
    expect(() => parseOptions(['--load-generator', 'wrk'], {}, missing)).toThrow(
      /apt-get install wrk/,
    );
  });
});

describe.skipIf(!wrkAvailable())('runWrk against a local server', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    server = createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`;
  }

  const body = '{"name":"quote \\" and \\\\ backslash\\nnewline"}';
  const request = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bench': 'wrk "test"' },
    body,
  };

  it('sends the method, header and body it is given', async () => {
    const seen = { total: 0, matching: 0 };
    const url = await listen((req, res) => {
      let received = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        received += chunk;
      });
      req.on('end', () => {
        seen.total++;
        const ok =
          req.method === 'POST' &&
          req.url === '/items' &&
          req.headers['x-bench'] === 'wrk "test"' &&
          received === body;
        if (ok) seen.matching++;
        res.writeHead(ok ? 201 : 400, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    const result = await runWrk(url, request, 4, 1);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.reqPerSec).toBeGreaterThan(0);
    expect(result.p99Us).toBeGreaterThanOrEqual(result.p50Us);
    expect(wrkProblems(result)).toBeUndefined();
    // wrk may leave a few requests unanswered when it stops; none may be malformed.
    expect(seen.matching).toBe(seen.total);
    expect(seen.total).toBeGreaterThanOrEqual(result.requests);
  });

  it('reports answers with status 500 as status errors', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":true}');
    });
    const result = await runWrk(url, request, 4, 1);
    expect(result.statusErrors).toBeGreaterThan(0);
    expect(result.statusErrors).toBe(result.requests);
    expect(wrkProblems(result)).toMatch(/answers with status >= 400/);
  });
});
