import { describe, expect, expectTypeOf, it } from 'vitest';
import { createService, group, route, Type } from 'wharf';
import { testService } from 'wharf/testing';

const Item = Type.Object({ id: Type.Integer(), label: Type.String() });

const items = group({ prefix: '/items', tags: ['items'] }, [
  route({
    method: 'GET',
    url: '/:id',
    name: 'getItem',
    params: Type.Object({ id: Type.Integer() }),
    query: Type.Object({ verbose: Type.Optional(Type.Boolean()) }),
    headers: Type.Object({ 'x-tenant': Type.String() }),
    response: Item,
    handler: (req) => {
      expectTypeOf(req.params.id).toEqualTypeOf<number>();
      expectTypeOf(req.query.verbose).toEqualTypeOf<boolean | undefined>();
      expectTypeOf(req.headers['x-tenant']).toEqualTypeOf<string>();
      return {
        id: req.params.id,
        label: `${req.headers['x-tenant']}:${req.query.verbose ?? false}`,
      };
    },
  }),
  route({
    method: 'POST',
    url: '/',
    name: 'createItem',
    status: 201,
    body: Type.Object({ label: Type.String() }),
    response: Item,
    handler: (req) => {
      expectTypeOf(req.body).toEqualTypeOf<{ label: string }>();
      return { id: 1, label: req.body.label };
    },
  }),
  route({
    method: 'GET',
    url: '/',
    name: 'listItems',
    handler: () => 'anything',
  }),
]);

function itemsService() {
  return createService({ name: 'items', config: { log: { level: 'silent' } }, routes: [items] });
}

describe('test client', () => {
  it('has one method per route name, typed from the route schemas', async () => {
    const t = await testService(itemsService());
    const res = await t.client.getItem({
      params: { id: 5 },
      query: { verbose: true },
      headers: { 'x-tenant': 'acme' },
    });
    expectTypeOf(res.data).toEqualTypeOf<{ id: number; label: string } | undefined>();
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ id: 5, label: 'acme:true' });
    await t.close();
  });

  it('rejects inputs that do not match the schemas at compile time', async () => {
    const t = await testService(itemsService());
    await expect(
      // @ts-expect-error params are required for a route with a params schema
      t.client.getItem({ headers: { 'x-tenant': 'a' } }),
    ).rejects.toThrow('Missing path parameter "id"');
    // @ts-expect-error body.label must be a string
    await t.client.createItem({ body: { label: 3 } });
    // @ts-expect-error no route has this name
    expect(t.client.missingRoute).toBeUndefined();
    await t.close();
  });

  it('lets routes without schemas be called with no argument', async () => {
    const t = await testService(itemsService());
    const res = await t.client.listItems();
    expect(res.body).toEqual({ code: 0, message: 'ok', data: 'anything' });
    await t.close();
  });

  it('sends the body as JSON and returns status, headers and the parsed envelope', async () => {
    const t = await testService(itemsService());
    const res = await t.client.createItem({ body: { label: 'new' } });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ code: 0, message: 'ok', data: { id: 1, label: 'new' } });
    await t.close();
  });
});
