import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from 'wharf/db';
import { testService } from 'wharf/testing';
import { readConfig } from '../src/config.js';
import { purgeNotes } from '../src/queries.js';
import { createApp } from '../src/service.js';

/** The service on an embedded database of its own, migrated when the service starts. */
async function start() {
  const config = await readConfig({ env: {}, defaults: { log: { level: 'silent' } } });
  const db = createDatabase({ url: '' });
  const t = await testService(createApp({ config, db }).service);
  return { db, t };
}

let db: Awaited<ReturnType<typeof start>>['db'];
let t: Awaited<ReturnType<typeof start>>['t'];

beforeAll(async () => {
  ({ db, t } = await start());
}, 60_000);

afterAll(() => t.close());

describe('notes', () => {
  it('creates a note and reads it back', async () => {
    const created = await t.client.createNote({ body: { title: 'Groceries', body: 'Milk' } });
    expect(created.status).toBe(201);
    const id = created.data?.id as number;

    const read = await t.client.getNote({ params: { id } });
    expect(read.status).toBe(200);
    expect(read.data).toMatchObject({ id, title: 'Groceries', body: 'Milk' });

    const list = await t.client.listNotes();
    expect(list.data?.map((note) => note.id)).toContain(id);
  });

  it('answers 404 NOTE_NOT_FOUND for an unknown id', async () => {
    const res = await t.client.getNote({ params: { id: 999_999 } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOTE_NOT_FOUND', error: { id: 999_999 } });
  });

  it('refuses a note without a title with 400 VALIDATION_FAILED', async () => {
    const res = await t.request({ method: 'POST', url: '/notes', payload: { body: 'no title' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('purges only the notes older than the cut-off', async () => {
    const kept = await t.client.createNote({ body: { title: 'Fresh' } });
    await db.execute`insert into notes (title, created_at) values ('Stale', now() - interval '90 days')`;
    const purged = await purgeNotes(db, new Date(Date.now() - 30 * 24 * 60 * 60 * 1000));
    expect(purged).toBe(1);
    const still = await t.client.getNote({ params: { id: kept.data?.id as number } });
    expect(still.status).toBe(200);
  });
});
