import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACER_NAME as CLIENT_TRACER } from 'wharf/client';
import { TRACER_NAME as DB_TRACER } from 'wharf/db';
import type { TestDatabase } from 'wharf/testing';
import type { ReadableSpan } from 'wharf/tracing';
import {
  bearer,
  cityOf,
  roleOf,
  START_TIMEOUT_MS,
  tracedSystem,
  usersDatabase,
} from './fixtures.js';

function only(spans: readonly ReadableSpan[], predicate: (s: ReadableSpan) => boolean) {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    const names = spans.map((s) => `${s.instrumentationScope.name}:${s.name}`).join(', ');
    throw new Error(`expected one matching span, found ${found.length} among ${names}`);
  }
  return found[0] as ReadableSpan;
}

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('example system: one trace across users, cities, roles and the database', () => {
  let database: TestDatabase;
  let system: Awaited<ReturnType<typeof tracedSystem>>;

  beforeAll(async () => {
    database = await usersDatabase();
    system = await tracedSystem(database.db);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await system?.stop();
    await database?.close();
  });

  it('links every span of GET /users/:id, from the users request down to each upstream', async () => {
    const created = await fetch(`${system.users.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer()) },
      body: JSON.stringify({ name: 'Ada', city_id: 3, role_id: 1 }),
    });
    const { id } = ((await created.json()) as { data: { id: number } }).data;
    for (const s of [system.users, system.cities, system.roles]) s.exporter.reset();

    const res = await fetch(`${system.users.url}/users/${id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown };
    expect(body.data).toMatchObject({ city: cityOf(3), role: roleOf(1) });

    const spans = await system.spans();
    const server = only(spans.users, (s) => s.name === 'GET /users/:id');
    const cityCall = only(
      spans.users,
      (s) => s.instrumentationScope.name === CLIENT_TRACER && s.name === 'GET /cities/:id',
    );
    const roleCall = only(
      spans.users,
      (s) => s.instrumentationScope.name === CLIENT_TRACER && s.name === 'GET /roles/:id',
    );
    const query = only(
      spans.users,
      (s) => s.instrumentationScope.name === DB_TRACER && parentOf(s) === idOf(server),
    );
    const cityServer = only(spans.cities, (s) => s.name === 'GET /cities/:id');
    const roleServer = only(spans.roles, (s) => s.name === 'GET /roles/:id');

    const all = [server, cityCall, roleCall, query, cityServer, roleServer];
    expect(new Set(all.map((s) => s.spanContext().traceId)).size).toBe(1);

    // The users request is the root; its query and both calls are its children …
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(parentOf(query)).toBe(idOf(server));
    expect(query.name).toBe('SELECT');
    expect(parentOf(cityCall)).toBe(idOf(server));
    expect(parentOf(roleCall)).toBe(idOf(server));
    expect([cityCall.kind, roleCall.kind]).toEqual([SpanKind.CLIENT, SpanKind.CLIENT]);
    // … and each call is the parent of the request span in the service it reached.
    expect(parentOf(cityServer)).toBe(idOf(cityCall));
    expect(parentOf(roleServer)).toBe(idOf(roleCall));
    expect(cityServer.kind).toBe(SpanKind.SERVER);

    expect(cityCall.attributes).toMatchObject({
      'peer.service': 'cities',
      'http.response.status_code': 200,
    });
    const serviceName = (s: ReadableSpan) => s.resource.attributes['service.name'];
    expect(all.map(serviceName)).toEqual(['users', 'users', 'users', 'users', 'cities', 'roles']);
  });
});
