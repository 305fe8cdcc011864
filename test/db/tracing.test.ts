import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, ident, TRACER_NAME } from 'wharf/db';
import { engines, START_TIMEOUT_MS, uniqueTable } from './engines.js';

// Distinctive values: none of them may show up anywhere in a span.
const SECRET_EMAIL = 'leaky-secret@example.com';
const SECRET_WORD = 'hunter2-not-a-number';

function everythingIn(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
  });
}

describe.each(engines)('query spans on $name', (engine) => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let db: Database;
  const table = ident(uniqueTable('span_users'));

  beforeAll(async () => {
    db = engine.open();
    await db.execute`create table ${table} (id int primary key, email text not null)`;
    trace.setGlobalTracerProvider(provider);
  }, START_TIMEOUT_MS);

  afterEach(() => exporter.reset());

  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
    await db.execute`drop table if exists ${table}`;
    await db.close();
  });

  it('records each query as a CLIENT span with the parameterised statement and row count', async () => {
    await db.execute`insert into ${table} values (${1}, ${SECRET_EMAIL}), (${2}, ${SECRET_EMAIL})`;
    const rows = await db.fetch`select id from ${table} where email = ${SECRET_EMAIL}`;
    expect(rows).toHaveLength(2);

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['INSERT', 'SELECT']);
    const select = spans[1] as ReadableSpan;
    expect(select.kind).toBe(SpanKind.CLIENT);
    expect(select.instrumentationScope.name).toBe(TRACER_NAME);
    expect(select.attributes).toMatchObject({
      'db.system': 'postgresql',
      'db.statement': `select id from ${table.text} where email = $1`,
      'db.rows': 2,
    });
    expect(spans[0]?.attributes['db.rows']).toBe(2);
    for (const span of spans) expect(everythingIn(span)).not.toContain(SECRET_EMAIL);
  });

  it('traces the statements run inside transactions and acquired scopes', async () => {
    await db.transaction(async (tx) => {
      await tx.fetchval`select count(*) from ${table}`;
      await tx.transaction((inner) => inner.execute`delete from ${table} where id = ${99}`);
    });
    await db.acquire((q) => q.fetchrow`select 1 as one`);
    const names = exporter.getFinishedSpans().map((s) => s.name);
    expect(names).toEqual(['SELECT', 'DELETE', 'SELECT']);
  });

  it('marks a failed query as an error with the exception, still without bound values', async () => {
    await expect(db.fetch`select ${SECRET_WORD}::int as n`).rejects.toMatchObject({ status: 400 });
    await expect(
      db.execute`insert into ${table} values (${1}, ${SECRET_EMAIL})`,
    ).rejects.toMatchObject({ status: 409 });

    const [bad, conflict] = exporter.getFinishedSpans();
    expect(bad?.status.code).toBe(SpanStatusCode.ERROR);
    expect(bad?.attributes['db.response.status_code']).toBe('22P02');
    const exception = bad?.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'DatabaseInvalidValueError',
      'exception.message': expect.stringContaining('invalid input syntax for type integer'),
    });
    expect(conflict?.status.code).toBe(SpanStatusCode.ERROR);
    expect(conflict?.attributes['db.response.status_code']).toBe('23505');
    for (const span of [bad, conflict]) {
      expect(everythingIn(span as ReadableSpan)).not.toContain(SECRET_WORD);
      expect(everythingIn(span as ReadableSpan)).not.toContain(SECRET_EMAIL);
    }
  });

  it('records nothing once no tracer provider is registered', async () => {
    trace.disable();
    try {
      await db.fetchval`select 1`;
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      trace.setGlobalTracerProvider(provider);
    }
  });
});
