import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, ErrorCode, route, Type } from 'wharf';
import { createDatabase, type DbLogger, useDatabase } from 'wharf/db';
import { testService } from 'wharf/testing';

const run = promisify(execFile);

/** The directory holding initdb and pg_ctl of an installed PostgreSQL, if any. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort().reverse();
  return versions
    .map((v) => join(root, v, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

const bin = postgresBin();
const isRoot = process.getuid?.() === 0;

/** Run a PostgreSQL tool, as the postgres user when we are root (it refuses to run as root). */
async function pgTool(tool: string, args: string[]): Promise<void> {
  const command = join(bin as string, tool);
  const [file, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  await run(file, argv, { timeout: 60_000 });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Reject when `promise` has not settled within `ms`: proves a call fails fast, not hangs. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

// Stopping the machine's own cluster would disturb everything else using it, so this runs
// a throwaway server of its own; only where a real PostgreSQL is installed and in use.
describe.skipIf(!process.env.DATABASE_URL || !bin)(
  'a PostgreSQL that goes down and comes back',
  () => {
    let dir: string;
    let data: string;
    let port: number;

    const start = () =>
      pgTool('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        '-w',
        '-t',
        '30',
        'start',
      ]);
    const stop = (mode = 'fast') =>
      pgTool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wharf-pg-'));
      data = join(dir, 'data');
      if (isRoot) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
      }
      port = await freePort();
      await pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await start();
    }, 120_000);

    afterAll(async () => {
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('answers 503 DB_UNAVAILABLE quickly while it is down and recovers by itself', async () => {
      const logged: string[] = [];
      const logger: DbLogger = {
        debug: () => undefined,
        info: (_, msg) => logged.push(msg),
        warn: (_, msg) => logged.push(msg),
      };
      const db = createDatabase(
        { url: `postgres://postgres@127.0.0.1:${port}/postgres`, connectTimeoutMs: 2_000 },
        { logger },
      );
      const service = createService({
        name: 'inventory',
        config: { log: { level: 'silent' }, health: { checkTimeoutMs: 10_000 } },
        routes: [
          route({
            method: 'GET',
            url: '/count',
            name: 'count',
            response: Type.Object({ n: Type.Integer() }),
            handler: async () => ({ n: (await db.fetchval<number>`select 3`) ?? 0 }),
          }),
        ],
      });
      useDatabase(service, db);
      const t = await testService(service);
      try {
        expect((await t.client.count()).data).toEqual({ n: 3 });

        await stop();
        const down = await within(t.client.count(), 10_000);
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ code: ErrorCode.dbUnavailable });
        const ready = await within(t.request({ method: 'GET', url: '/health/ready' }), 10_000);
        expect(ready.status).toBe(503);
        expect(logged).toEqual(['database unavailable']);

        await start();
        let status = 0;
        for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
          status = (await within(t.client.count(), 10_000)).status;
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(status).toBe(200);
        expect((await t.request({ method: 'GET', url: '/health/ready' })).status).toBe(200);
        expect(logged).toEqual(['database unavailable', 'database available again']);
      } finally {
        await t.close();
      }
    }, 120_000);
  },
);
