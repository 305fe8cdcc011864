import { afterEach, describe, expect, it } from 'vitest';
import { testService } from 'wharf/testing';
import { SEED_CITIES } from '../../examples/cities/data.js';
import { type CitiesServiceOptions, createCitiesService } from '../../examples/cities/service.js';

const opened: { close(): Promise<void> }[] = [];

async function open(options: CitiesServiceOptions = {}) {
  const t = await testService(
    createCitiesService({ ...options, config: { log: { level: 'silent' } } }),
  );
  opened.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

describe('cities example: GET /cities/:id', () => {
  it('answers the city in the success envelope', async () => {
    const t = await open();
    const res = await t.client.getCity({ params: { id: 1 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 0,
      message: 'ok',
      data: { id: 1, name: 'Lyon', country: 'FR', population: 522_250 },
    });
  });

  it('answers 404 CITY_NOT_FOUND with the id for an unknown city', async () => {
    const t = await open();
    const res = await t.client.getCity({ params: { id: 999 } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'CITY_NOT_FOUND',
      message: 'No city with id 999',
      error: { id: 999 },
    });
  });

  it('answers 400 VALIDATION_FAILED for an id that is not a positive integer', async () => {
    const t = await open();
    const zero = await t.client.getCity({ params: { id: 0 } });
    expect(zero.status).toBe(400);
    expect(zero.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'params', path: '/id' }] },
    });
    const word = await t.request({ method: 'GET', url: '/cities/lyon' });
    expect(word.status).toBe(400);
    expect(word.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('cities example: GET /cities', () => {
  it('answers the first page with default paging', async () => {
    const t = await open();
    const res = await t.client.listCities();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ total: SEED_CITIES.length, limit: 20, offset: 0 });
    expect(res.data?.items.map((c) => c.name)).toEqual(SEED_CITIES.map((c) => c.name));
  });

  it('answers the page that limit and offset select, in id order', async () => {
    const t = await open();
    const res = await t.client.listCities({ query: { limit: 3, offset: 2 } });
    expect(res.status).toBe(200);
    expect(res.data?.items.map((c) => c.id)).toEqual([3, 4, 5]);
    expect(res.data).toMatchObject({ total: SEED_CITIES.length, limit: 3, offset: 2 });
  });

  it('answers an empty page past the end', async () => {
    const t = await open();
    const res = await t.client.listCities({ query: { offset: 100 } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ items: [], total: SEED_CITIES.length, limit: 20, offset: 100 });
  });

  it.each([
    { query: { limit: 0 }, path: '/limit' },
    { query: { limit: 101 }, path: '/limit' },
    { query: { offset: -1 }, path: '/offset' },
  ])('answers 400 VALIDATION_FAILED for out-of-range paging $query', async ({ query, path }) => {
    const t = await open();
    const res = await t.client.listCities({ query });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'query', path }] },
    });
  });

  it('answers 400 VALIDATION_FAILED for a limit that is not a number', async () => {
    const t = await open();
    const res = await t.request({ method: 'GET', url: '/cities?limit=ten' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('cities example: POST /cities', () => {
  const oslo2 = { name: 'Osloville', country: 'NO', population: 1200 };

  it('answers 201 with the created city and stores it under the next id', async () => {
    const t = await open();
    const created = await t.client.createCity({ body: oslo2 });
    expect(created.status).toBe(201);
    const id = SEED_CITIES.length + 1;
    expect(created.body).toEqual({ code: 0, message: 'ok', data: { id, ...oslo2 } });
    const fetched = await t.client.getCity({ params: { id } });
    expect(fetched.data).toEqual({ id, ...oslo2 });
  });

  it('answers 400 VALIDATION_FAILED naming every invalid field', async () => {
    const t = await open();
    const res = await t.client.createCity({
      body: { name: '', country: 'France', population: -1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = (res.body as { error: { fields: { in: string; path: string }[] } }).error.fields;
    expect(fields.map((f) => f.path).sort()).toEqual(['/country', '/name', '/population']);
    expect(fields.every((f) => f.in === 'body')).toBe(true);
    const list = await t.client.listCities();
    expect(list.data?.total).toBe(SEED_CITIES.length);
  });

  it('answers 400 VALIDATION_FAILED when a required field is missing', async () => {
    const t = await open();
    const res = await t.request({
      method: 'POST',
      url: '/cities',
      payload: { name: 'Nowhere', country: 'NO' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      error: { fields: [{ in: 'body', path: '/population' }] },
    });
  });

  it('answers 409 CITY_LIMIT_REACHED once the store is full, and stores nothing', async () => {
    const t = await open({ maxCities: SEED_CITIES.length });
    const res = await t.client.createCity({ body: oslo2 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'CITY_LIMIT_REACHED',
      message: `The service holds at most ${SEED_CITIES.length} cities; no more can be created`,
      error: { max: SEED_CITIES.length },
    });
    const list = await t.client.listCities();
    expect(list.data?.total).toBe(SEED_CITIES.length);
  });

  it('keeps each service instance its own data', async () => {
    const a = await open();
    const b = await open();
    await a.client.createCity({ body: oslo2 });
    expect((await a.client.listCities()).data?.total).toBe(SEED_CITIES.length + 1);
    expect((await b.client.listCities()).data?.total).toBe(SEED_CITIES.length);
  });
});
