import { describe, expect, it } from 'vitest';
import { createService, DatabaseUnavailableError, route, Type } from 'wharf';
import { databaseHealthCheck, useDatabase } from 'wharf/db';
import { testService } from 'wharf/testing';
import { engines, START_TIMEOUT_MS } from './engines.js';

describe.each(engines)('a service using the database on $name', (engine) => {
  it(
    'reports the database in readiness, serves routes from it and closes it on stop',
    async () => {
      const service = createService({
        name: 'stock',
        config: { log: { level: 'silent' }, health: { checkTimeoutMs: 30_000 } },
        routes: [
          route({
            method: 'GET',
            url: '/answer',
            name: 'answer',
            response: Type.Object({ value: Type.Integer() }),
            handler: async () => ({ value: (await db.fetchval<number>`select 6 * 7`) ?? 0 }),
          }),
        ],
      });
      const db = engine.open({}, { logger: service.log });
      expect(useDatabase(service, db)).toBe(db);
      const t = await testService(service);

      const ready = await t.request({ method: 'GET', url: '/health/ready' });
      expect(ready.status).toBe(200);
      expect(ready.data).toEqual({ status: 'ready', checks: [{ name: 'db', ok: true }] });
      expect((await t.client.answer()).data).toEqual({ value: 42 });

      await t.close();
      await expect(db.fetchval`select 1`).rejects.toBeInstanceOf(DatabaseUnavailableError);
    },
    START_TIMEOUT_MS,
  );

  it(
    'fails readiness with 503 once the database stops answering',
    async () => {
      const db = engine.open();
      await db.ping(); // the first query starts PGlite, which can outlast a readiness probe
      const service = createService({
        name: 'stock',
        config: { log: { level: 'silent' }, health: { checkTimeoutMs: 30_000 } },
        routes: [],
      });
      service.health.register('primary', databaseHealthCheck(db));
      const t = await testService(service);
      try {
        const before = await t.request({ method: 'GET', url: '/health/ready' });
        expect(before.body).toMatchObject({ code: 0 });
        await db.close();
        const res = await t.request({ method: 'GET', url: '/health/ready' });
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({
          error: { checks: [{ name: 'primary', ok: false, error: 'Database is closed' }] },
        });
      } finally {
        await t.close();
      }
    },
    START_TIMEOUT_MS,
  );
});
