import { describe, expect, it } from 'vitest';
import { createService, group, route, ServiceError, Type } from 'wharf';
import { testService } from 'wharf/testing';

const City = Type.Object({ id: Type.Integer(), name: Type.String() });

function citiesService() {
  return createService({
    name: 'cities',
    config: { log: { level: 'silent' } },
    routes: [
      group({ prefix: '/cities', tags: ['cities'] }, [
        route({
          method: 'GET',
          url: '/:id',
          name: 'getCity',
          params: Type.Object({ id: Type.Integer() }),
          response: City,
          handler: ({ params }) => {
            if (params.id === 404) {
              throw new ServiceError({
                status: 404,
                code: 'CITY_NOT_FOUND',
                message: 'No such city',
                error: { id: params.id },
              });
            }
            return { id: params.id, name: 'Lyon' };
          },
        }),
        route({
          method: 'POST',
          url: '/',
          name: 'createCity',
          status: 201,
          body: Type.Object({ name: Type.String({ minLength: 1 }) }),
          response: City,
          handler: ({ body }) => ({ id: 7, name: body.name }),
        }),
      ]),
    ],
  });
}

describe('response envelope', () => {
  it('wraps plain handler data as {code:0, message:"ok", data}', async () => {
    const t = await testService(citiesService());
    const res = await t.client.getCity({ params: { id: 3 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 0, message: 'ok', data: { id: 3, name: 'Lyon' } });
    await t.close();
  });

  it('uses the route status for success', async () => {
    const t = await testService(citiesService());
    const res = await t.client.createCity({ body: { name: 'Oslo' } });
    expect(res.status).toBe(201);
    expect(res.data).toEqual({ id: 7, name: 'Oslo' });
    await t.close();
  });

  it('turns a thrown ServiceError into its status and error envelope', async () => {
    const t = await testService(citiesService());
    const res = await t.client.getCity({ params: { id: 404 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'CITY_NOT_FOUND',
      message: 'No such city',
      error: { id: 404 },
    });
    await t.close();
  });
});
