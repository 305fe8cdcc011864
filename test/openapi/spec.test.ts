import { Validator } from '@seriousme/openapi-schema-validator';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { buildOpenApiSpec, ERROR_SCHEMA_NAME, type OpenApiDocument, type TSchema } from 'wharf';
import { testService } from 'wharf/testing';
import { ordersService } from './fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped spec JSON
type Json = Record<string, any>;

async function servedSpec(): Promise<OpenApiDocument> {
  const t = await testService(ordersService());
  const res = await t.request({ method: 'GET', url: '/openapi/spec.json' });
  await t.close();
  expect(res.status).toBe(200);
  return res.body as unknown as OpenApiDocument;
}

function operation(spec: OpenApiDocument, path: string, method: string): Json {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path} in the spec`);
  return op as Json;
}

function jsonSchema(response: Json): Json {
  return response.content['application/json'].schema;
}

function operations(spec: OpenApiDocument): Json[] {
  return Object.values(spec.paths).flatMap((item) => Object.values(item) as Json[]);
}

async function validate(spec: OpenApiDocument) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(spec));
  return { ...result, version: validator.version, resolved: () => validator.resolveRefs() };
}

describe('OpenAPI spec', () => {
  it('serves the spec as raw JSON (no envelope) at /openapi/spec.json', async () => {
    const t = await testService(ordersService());
    const res = await t.request({ method: 'GET', url: '/openapi/spec.json' });
    await t.close();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.body as unknown as Json;
    expect(body).not.toHaveProperty('code');
    expect(body.openapi).toBe('3.1.0');
    expect(body.info).toEqual({ title: 'orders', version: '2.3.4' });
  });

  it('validates against the official OpenAPI 3.1 schema', async () => {
    const spec = await servedSpec();
    const result = await validate(spec);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(result.version).toBe('3.1');
  });

  it('rejects a broken document, so the validation above means something', async () => {
    const spec = structuredClone(await servedSpec()) as Json;
    delete spec.paths['/ping'].get.responses;
    spec.paths['/orders/{id}'].get.parameters[0].in = 'body';
    expect((await validate(spec as OpenApiDocument)).valid).toBe(false);
  });

  it('documents every visible route by name, with its summary, description and tags', async () => {
    const spec = await servedSpec();
    const ids = operations(spec).map((op) => op.operationId);
    expect(ids.sort()).toEqual(
      [
        'countOrders',
        'createOrder',
        'exportOrders',
        'getOrder',
        'healthLive',
        'healthReady',
        'listOrders',
        'ping',
      ].sort(),
    );
    const get = operation(spec, '/orders/{id}', 'get');
    expect(get).toMatchObject({
      operationId: 'getOrder',
      summary: 'Fetch one order',
      description: 'Answers 404 ORDER_NOT_FOUND for an unknown id.',
      tags: ['orders'],
    });
    expect(operation(spec, '/orders', 'post').tags).toEqual(['orders', 'checkout']);
  });

  it('lists the health routes under the health tag', async () => {
    const spec = await servedSpec();
    expect(operation(spec, '/health/live', 'get').tags).toEqual(['health']);
    expect(operation(spec, '/health/ready', 'get').tags).toEqual(['health']);
  });

  it('leaves out hidden routes, the spec route and the docs routes', async () => {
    const spec = await servedSpec();
    const paths = Object.keys(spec.paths);
    expect(paths).not.toContain('/internal/reindex');
    expect(paths.filter((p) => p.startsWith('/openapi') || p.startsWith('/docs'))).toEqual([]);
  });

  it('turns params, query and headers into parameters with their descriptions', async () => {
    const spec = await servedSpec();
    const params = operation(spec, '/orders/{id}', 'get').parameters as Json[];
    const byName = Object.fromEntries(params.map((p) => [`${p.in}:${p.name}`, p]));
    expect(byName['path:id']).toEqual({
      in: 'path',
      name: 'id',
      required: true,
      description: 'Order number.',
      schema: { type: 'integer', format: 'int32' },
    });
    expect(byName['query:expand']).toMatchObject({
      required: false,
      description: 'Part to expand.',
      schema: { anyOf: [{ enum: ['lines'] }, { enum: ['total'] }] },
    });
    expect(byName['header:x-tenant']).toMatchObject({
      required: true,
      description: 'Tenant the order belongs to.',
      schema: { type: 'string' },
    });

    const list = operation(spec, '/orders', 'get').parameters as Json[];
    expect(list.find((p) => p.name === 'limit')).toMatchObject({
      in: 'query',
      required: true,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    });
  });

  it('documents the body as the request body: nested objects, arrays, optional fields, descriptions', async () => {
    const spec = await servedSpec();
    const body = operation(spec, '/orders', 'post').requestBody as Json;
    expect(body.required).toBe(true);
    const schema = jsonSchema(body);
    expect(schema.required).toEqual(['lines', 'shipping']);
    expect(schema.properties.note).toEqual({
      type: 'string',
      description: 'Free text from the customer.',
    });
    expect(schema.properties.lines).toMatchObject({
      type: 'array',
      minItems: 1,
      items: { type: 'object', properties: { quantity: { type: 'integer', minimum: 1 } } },
    });
    expect(schema.properties.shipping.properties.city.description).toBe('City name.');
  });

  it('wraps the response schema in the success envelope at the route status', async () => {
    const spec = await servedSpec();
    const created = operation(spec, '/orders', 'post').responses['201'];
    expect(created.description).toBe('Created');
    const envelope = jsonSchema(created);
    expect(envelope.required).toEqual(['code', 'message', 'data']);
    expect(envelope.properties.code.enum).toEqual([0]);
    expect(envelope.properties.message.type).toBe('string');

    const order = envelope.properties.data;
    expect(order.required).not.toContain('note');
    expect(order.properties.id).toMatchObject({ type: 'integer', format: 'int32' });
    expect(order.properties.status.anyOf.map((s: Json) => s.enum[0])).toEqual([
      'open',
      'paid',
      'shipped',
    ]);
    expect(order.properties.total).toMatchObject({
      description: 'An amount of money.',
      properties: {
        amount: { type: 'integer', format: 'int64', description: 'Amount in minor units (cents).' },
        currency: { description: 'ISO 4217 code.' },
      },
    });
    expect(order.properties.lines.items.properties.sku.description).toBe('Stock keeping unit.');
    expect(order.properties.coupon).toEqual({
      description: 'Coupon code, if any.',
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    expect(operation(spec, '/orders/{id}', 'get').responses['200'].description).toBe('OK');
  });

  it('documents errors with one shared WharfError schema: 400 where input is validated, 4XX and 5XX everywhere', async () => {
    const spec = await servedSpec();
    expect(ERROR_SCHEMA_NAME).toBe('WharfError');
    const error = spec.components?.schemas?.WharfError as Json;
    expect(error.required).toEqual(['code', 'message']);
    expect(Object.keys(error.properties)).toEqual(['code', 'message', 'error']);
    expect(error).not.toHaveProperty('$id');

    const ref = { $ref: '#/components/schemas/WharfError' };
    for (const op of operations(spec)) {
      expect(jsonSchema(op.responses['4XX']), op.operationId).toEqual(ref);
      expect(jsonSchema(op.responses['5XX']), op.operationId).toEqual(ref);
    }
    for (const id of ['getOrder', 'createOrder', 'listOrders']) {
      const op = operations(spec).find((o) => o.operationId === id) as Json;
      expect(jsonSchema(op.responses['400']), id).toEqual(ref);
      expect(op.responses['400'].description).toMatch(/VALIDATION_FAILED/);
    }
    for (const id of ['ping', 'healthLive', 'exportOrders']) {
      const op = operations(spec).find((o) => o.operationId === id) as Json;
      expect(op.responses, id).not.toHaveProperty('400');
    }
  });

  it('documents raw routes without the envelope', async () => {
    const spec = await servedSpec();
    const csv = operation(spec, '/orders/export.csv', 'get').responses;
    expect(csv['200']).toEqual({ description: 'OK' });
    const count = operation(spec, '/orders/count', 'get').responses['200'];
    expect(jsonSchema(count)).toEqual({ type: 'integer', description: 'Number of orders.' });
  });

  it('describes what the service actually sends, successes and errors alike', async () => {
    const t = await testService(ordersService());
    const spec = (await t.request({ method: 'GET', url: '/openapi/spec.json' }))
      .body as unknown as OpenApiDocument;
    const checked = await validate(spec);
    const resolved = checked.resolved() as unknown as OpenApiDocument;
    const schemaOf = (path: string, method: string, status: string) =>
      jsonSchema(operation(resolved, path, method).responses[status]) as TSchema;

    const headers = { 'x-tenant': 'acme' };
    const ok = await t.client.getOrder({ params: { id: 3 }, headers });
    expect(Value.Check(schemaOf('/orders/{id}', 'get', '200'), ok.body)).toBe(true);

    const created = await t.client.createOrder({
      body: {
        lines: [{ sku: 'B-2', quantity: 1 }],
        shipping: { street: '1 Quay', city: 'Oslo', country: 'NO' },
      },
    });
    expect(created.status).toBe(201);
    expect(Value.Check(schemaOf('/orders', 'post', '201'), created.body)).toBe(true);

    const invalid = await t.request({ method: 'POST', url: '/orders', payload: { lines: [] } });
    expect(invalid.status).toBe(400);
    expect(Value.Check(schemaOf('/orders', 'post', '400'), invalid.body)).toBe(true);

    const missing = await t.client.getOrder({ params: { id: 404 }, headers });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'ORDER_NOT_FOUND', message: 'No order' });
    expect(Value.Check(schemaOf('/orders/{id}', 'get', '4XX'), missing.body)).toBe(true);
    await t.close();
  });
});

describe('buildOpenApiSpec', () => {
  it('returns the document served at /openapi/spec.json', async () => {
    const service = ordersService();
    const built = await buildOpenApiSpec(service);
    const t = await testService(service);
    const served = await t.request({ method: 'GET', url: '/openapi/spec.json' });
    await t.close();
    expect(built).toEqual(served.body);
  });

  it('adds servers when given and stays valid', async () => {
    const service = ordersService();
    const spec = await buildOpenApiSpec(service, {
      servers: [{ url: 'https://orders.example.test', description: 'Production' }],
    });
    await service.stop();
    expect(spec.servers).toEqual([
      { url: 'https://orders.example.test', description: 'Production' },
    ]);
    expect(Object.keys(spec).slice(0, 3)).toEqual(['openapi', 'info', 'servers']);
    expect((await validate(spec)).valid).toBe(true);
  });

  it('hands out a copy: changing it leaves the served spec alone', async () => {
    const service = ordersService();
    const first = await buildOpenApiSpec(service);
    first.info.title = 'changed';
    delete first.paths['/ping'];
    const second = await buildOpenApiSpec(service);
    await service.stop();
    expect(second.info.title).toBe('orders');
    expect(second.paths).toHaveProperty('/ping');
  });

  it('builds the spec even when serving it is disabled', async () => {
    const service = ordersService({ openapi: { enabled: false } });
    const spec = await buildOpenApiSpec(service);
    await service.stop();
    expect(operations(spec).map((op) => op.operationId)).toContain('createOrder');
    expect((await validate(spec)).valid).toBe(true);
  });
});
