import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalServer {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests received so far, in order. */
  readonly requests: readonly {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
  }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

/** A plain HTTP server on 127.0.0.1 with a free port; `close()` also drops open sockets. */
export async function startServer(handler: Handler): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const index = requests.length;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, index);
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answer with JSON. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A port nothing listens on: bound once, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A sleep that does not wait and remembers what it was asked to wait. */
export function recordingSleep() {
  const waits: number[] = [];
  const sleep = async (ms: number, signal: AbortSignal) => {
    if (signal.aborted) throw signal.reason;
    waits.push(ms);
  };
  return { waits, sleep };
}

/**
 * A port whose connects hang: a listener with a backlog of one, in a worker thread that is
 * blocked so it never accepts, and the backlog filled. Further SYNs are dropped by the
 * kernel, as with an unreachable host.
 */
export async function hangingPort(): Promise<{ port: number; close(): Promise<void> }> {
  const { Worker } = await import('node:worker_threads');
  const { connect } = await import('node:net');
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      // Let the message leave, then block this thread so nothing is ever accepted.
      setTimeout(() => { Atomics.wait(workerData, 0, 0, 30000); server.close(); }, 20);
    });
    `,
    { eval: true, workerData: wake },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const fillers = Array.from({ length: 4 }, () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    return socket;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      Atomics.store(wake, 0, 1);
      Atomics.notify(wake, 0);
      await worker.terminate();
    },
  };
}
