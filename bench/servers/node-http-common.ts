// What every bare node:http server of the benchmark shares: JSON answers, listening on
// a free port, printing `READY <port>`, and stopping on SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: unknown;
}

/** The answer to a request, or undefined for 404. */
export type Handler = (req: IncomingMessage) => Answer | undefined | Promise<Answer | undefined>;

const NOT_FOUND: Answer = { status: 404, body: { code: 'NOT_FOUND', message: 'No such route' } };
const FAILED: Answer = { status: 500, body: { code: 'INTERNAL', message: 'Internal error' } };

function send(res: ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Serve `handler` on 127.0.0.1 and a free port; `close` runs on SIGTERM after the server closes. */
export async function serve(handler: Handler, close?: () => Promise<unknown>): Promise<void> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req))
      .then(
        (answer) => send(res, answer ?? NOT_FOUND),
        (err: unknown) => {
          process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
          send(res, FAILED);
        },
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`READY ${port}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    Promise.resolve(close?.()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

/** The request body, parsed as JSON (undefined when it is not JSON). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Wharf's success envelope. */
export function ok(data: unknown, status = 200): Answer {
  return { status, body: { code: 0, message: 'ok', data } };
}
