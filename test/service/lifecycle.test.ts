import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createService, route, Type } from 'wharf';
import { testService } from 'wharf/testing';

/** A port that was free a moment ago, so a start hook knows where to look. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A request the test finishes by calling `release()`. */
function gate() {
  let release: () => void = () => {};
  let markEntered: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const entered = new Promise<void>((resolve) => {
    markEntered = resolve;
  });
  return { release, released, entered, markEntered };
}

function lifecycleService(options: { port?: number; delayMs?: number } = {}) {
  const slow = gate();
  const service = createService({
    name: 'lifecycle',
    config: {
      log: { level: 'silent' },
      http: { host: '127.0.0.1', port: options.port ?? 0 },
      shutdown: { delayMs: options.delayMs ?? 0 },
    },
    routes: [
      route({
        method: 'GET',
        url: '/ping',
        name: 'ping',
        response: Type.Object({ pong: Type.Boolean() }),
        handler: () => ({ pong: true }),
      }),
      route({
        method: 'GET',
        url: '/slow',
        name: 'slow',
        response: Type.Object({ done: Type.Boolean() }),
        handler: async () => {
          slow.markEntered();
          await slow.released;
          return { done: true };
        },
      }),
    ],
  });
  return { service, slow };
}

describe('start hooks', () => {
  it('run in registration order before the server accepts connections', async () => {
    const port = await freePort();
    const { service } = lifecycleService({ port });
    const calls: string[] = [];
    service
      .onStart(() => {
        calls.push('first');
      })
      .onStart(async () => {
        calls.push(`second, port open: ${await accepts(port)}`);
      });

    const url = await service.listen();

    expect(calls).toEqual(['first', 'second, port open: false']);
    expect(await accepts(portOf(url))).toBe(true);
    await service.stop();
  });

  it('keep the server closed when one throws, skip the later ones and run the stop hooks', async () => {
    const { service } = lifecycleService();
    const calls: string[] = [];
    service
      .onStart(() => {
        calls.push('start a');
      })
      .onStart(() => {
        throw new Error('database unreachable');
      })
      .onStart(() => {
        calls.push('start c');
      })
      .onStop(() => {
        calls.push('stop a');
      })
      .onStop(() => {
        calls.push('stop c');
      });

    await expect(service.listen()).rejects.toThrow('database unreachable');

    expect(service.app.server.listening).toBe(false);
    expect(calls).toEqual(['start a', 'stop c', 'stop a']);
  });

  it('are followed by the stop hooks when the port is already taken', async () => {
    const first = lifecycleService();
    const url = await first.service.listen();
    const { service } = lifecycleService({ port: portOf(url) });
    const calls: string[] = [];
    service.onStart(() => void calls.push('start')).onStop(() => void calls.push('stop'));

    await expect(service.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });

    expect(calls).toEqual(['start', 'stop']);
    await first.service.stop();
  });

  it('run once however often ready() is called', async () => {
    const { service } = lifecycleService();
    let runs = 0;
    service.onStart(() => {
      runs += 1;
    });
    await Promise.all([service.ready(), service.ready()]);
    await service.ready();
    expect(runs).toBe(1);
    await service.stop();
  });
});

describe('stop hooks', () => {
  it('run in reverse order once the server refuses new connections', async () => {
    const { service } = lifecycleService();
    const calls: string[] = [];
    const url = await service.listen();
    service
      .onStop(() => {
        calls.push('registered first');
      })
      .onStop(async () => {
        calls.push(`registered second, port open: ${await accepts(portOf(url))}`);
      });

    await service.stop();

    expect(calls).toEqual(['registered second, port open: false', 'registered first']);
  });

  it('run after the in-flight request has been answered', async () => {
    const { service, slow } = lifecycleService();
    const calls: string[] = [];
    service.app.addHook('onResponse', async (_request, reply) => {
      calls.push(`answered ${reply.statusCode}`);
    });
    service.onStop(() => {
      calls.push('stop hook');
    });
    const url = await service.listen();
    const inFlight = fetch(`${url}/slow`);
    await slow.entered;

    const stopped = service.stop();
    slow.release();
    await stopped;

    expect(calls).toEqual(['answered 200', 'stop hook']);
    expect(await (await inFlight).json()).toEqual({ code: 0, message: 'ok', data: { done: true } });
  });

  it('all run when one fails, and stop() rejects with that failure', async () => {
    const { service } = lifecycleService();
    const calls: string[] = [];
    service
      .onStop(() => {
        calls.push('first registered');
      })
      .onStop(() => {
        throw new Error('flush failed');
      })
      .onStop(() => {
        calls.push('last registered');
      });
    await service.ready();

    await expect(service.stop()).rejects.toThrow('flush failed');
    expect(calls).toEqual(['last registered', 'first registered']);
  });

  it('run once however often stop() is called', async () => {
    const { service } = lifecycleService();
    let runs = 0;
    service.onStop(() => {
      runs += 1;
    });
    await service.ready();
    await Promise.all([service.stop(), service.stop()]);
    await service.stop();
    expect(runs).toBe(1);
  });
});

describe('shutdown', () => {
  it('answers readiness 503 during shutdown.delayMs while other routes still answer 200', async () => {
    const { service } = lifecycleService({ delayMs: 300 });
    const t = await testService(service);
    expect((await t.client.healthReady()).status).toBe(200);

    const stopped = service.stop();
    const ready = await t.client.healthReady();
    const ping = await t.client.ping();
    await stopped;

    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', error: { stopping: true } });
    expect(ping.status).toBe(200);
    expect(ping.data).toEqual({ pong: true });
  });

  it('answers a request that arrives once closing began with 503 SHUTTING_DOWN and Connection: close', async () => {
    const { service, slow } = lifecycleService();
    const t = await testService(service);
    const inFlight = t.client.slow();
    await slow.entered;

    const stopped = service.stop();
    const late = await t.client.ping();
    slow.release();
    await stopped;

    expect(late.status).toBe(503);
    expect(late.headers.connection).toBe('close');
    expect(late.body).toEqual({ code: 'SHUTTING_DOWN', message: 'Service is shutting down' });
    expect((await inFlight).status).toBe(200);
  });

  it('closes the keep-alive connection of an in-flight request instead of waiting for its idle timeout', async () => {
    const { service, slow } = lifecycleService();
    const url = await service.listen();
    const agent = new http.Agent({ keepAlive: true });
    const response = new Promise<{ status?: number; connection?: string; body: string }>(
      (resolve, reject) => {
        http
          .get(`${url}/slow`, { agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.on('end', () =>
              resolve({ status: res.statusCode, connection: res.headers.connection, body }),
            );
          })
          .on('error', reject);
      },
    );
    await slow.entered;

    // With the default 72 s keep-alive timeout, stop() would outlive the test otherwise.
    const stopped = service.stop();
    slow.release();
    const res = await response;
    await stopped;
    agent.destroy();

    expect(res.status).toBe(200);
    expect(res.connection).toBe('close');
    expect(JSON.parse(res.body)).toEqual({ code: 0, message: 'ok', data: { done: true } });
  });
});
