import { afterEach, describe, expect, it } from 'vitest';
import { testService } from 'wharf/testing';
import { SEED_ROLES } from '../../examples/roles/data.js';
import { createRolesService, type RolesServiceOptions } from '../../examples/roles/service.js';

const opened: { close(): Promise<void> }[] = [];

async function open(options: RolesServiceOptions = {}) {
  const t = await testService(
    createRolesService({ ...options, config: { log: { level: 'silent' } } }),
  );
  opened.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

describe('roles example: GET /roles/:id', () => {
  it('answers the role with its permissions in the success envelope', async () => {
    const t = await open();
    const res = await t.client.getRole({ params: { id: 3 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 0,
      message: 'ok',
      data: { id: 3, name: 'viewer', permissions: ['cities:read', 'roles:read'] },
    });
  });

  it('answers 404 ROLE_NOT_FOUND with the id for an unknown role', async () => {
    const t = await open();
    const res = await t.client.getRole({ params: { id: 42 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'ROLE_NOT_FOUND',
      message: 'No role with id 42',
      error: { id: 42 },
    });
  });

  it('answers 400 VALIDATION_FAILED for an id that is not an integer', async () => {
    const t = await open();
    const res = await t.request({ method: 'GET', url: '/roles/admin' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'params', path: '/id' }] },
    });
  });
});

describe('roles example: GET /roles', () => {
  it('answers every seeded role with default paging', async () => {
    const t = await open();
    const res = await t.client.listRoles();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ total: SEED_ROLES.length, limit: 20, offset: 0 });
    expect(res.data?.items.map((r) => r.name)).toEqual(['admin', 'editor', 'viewer']);
  });

  it('answers the page that limit and offset select', async () => {
    const t = await open();
    const res = await t.client.listRoles({ query: { limit: 1, offset: 1 } });
    expect(res.data).toEqual({
      items: [
        { id: 2, name: 'editor', permissions: ['cities:read', 'cities:write', 'roles:read'] },
      ],
      total: SEED_ROLES.length,
      limit: 1,
      offset: 1,
    });
  });

  it('answers 400 VALIDATION_FAILED for a limit above the maximum', async () => {
    const t = await open();
    const res = await t.client.listRoles({ query: { limit: 1000 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'query', path: '/limit' }] },
    });
  });
});

describe('roles example: POST /roles', () => {
  const auditor = { name: 'auditor', permissions: ['cities:read', 'users:read'] };

  it('answers 201 with the created role and stores it under the next id', async () => {
    const t = await open();
    const created = await t.client.createRole({ body: auditor });
    expect(created.status).toBe(201);
    const id = SEED_ROLES.length + 1;
    expect(created.body).toEqual({ code: 0, message: 'ok', data: { id, ...auditor } });
    expect((await t.client.getRole({ params: { id } })).data).toEqual({ id, ...auditor });
  });

  it('answers 400 VALIDATION_FAILED for a malformed permission and a bad name', async () => {
    const t = await open();
    const res = await t.client.createRole({
      body: { name: 'Auditor', permissions: ['cities:read', 'read everything'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = (res.body as { error: { fields: { in: string; path: string }[] } }).error.fields;
    expect(fields.map((f) => f.path).sort()).toEqual(['/name', '/permissions/1']);
  });

  it('answers 400 VALIDATION_FAILED for duplicate permissions', async () => {
    const t = await open();
    const res = await t.client.createRole({
      body: { name: 'auditor', permissions: ['cities:read', 'cities:read'] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'body', path: '/permissions' }] },
    });
  });

  it('answers 409 ROLE_NAME_TAKEN for a name already in use', async () => {
    const t = await open();
    const res = await t.client.createRole({ body: { name: 'admin', permissions: [] } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'ROLE_NAME_TAKEN',
      message: 'A role named "admin" already exists',
      error: { name: 'admin', id: 1 },
    });
  });

  it('answers 409 ROLE_LIMIT_REACHED once the store is full, and stores nothing', async () => {
    const t = await open({ maxRoles: SEED_ROLES.length });
    const res = await t.client.createRole({ body: auditor });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'ROLE_LIMIT_REACHED',
      error: { max: SEED_ROLES.length },
    });
    expect((await t.client.listRoles()).data?.total).toBe(SEED_ROLES.length);
  });
});
