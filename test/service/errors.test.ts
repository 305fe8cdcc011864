import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CoreConfig,
  createService,
  type DeepPartial,
  type ErrorEnvelope,
  type FieldError,
  group,
  RouteDefinitionError,
  route,
  Type,
} from 'wharf';
import { testService } from 'wharf/testing';

const City = Type.Object({ id: Type.Integer(), name: Type.String() });

function cityRoutes() {
  return group({ prefix: '/cities', tags: ['cities'] }, [
    route({
      method: 'GET',
      url: '/:id',
      name: 'getCity',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: City,
      handler: ({ params }) => ({ id: params.id, name: 'Lyon' }),
    }),
    route({
      method: 'POST',
      url: '/',
      name: 'createCity',
      status: 201,
      body: Type.Object({
        name: Type.String({ minLength: 1 }),
        population: Type.Integer({ minimum: 0 }),
        country: Type.String({ minLength: 2, maxLength: 2 }),
        address: Type.Optional(Type.Object({ zip: Type.String(), street: Type.String() })),
      }),
      response: City,
      handler: ({ body }) => ({ id: 7, name: body.name }),
    }),
  ]);
}

function searchRoute() {
  return route({
    method: 'GET',
    url: '/search/:kind/:page',
    name: 'search',
    params: Type.Object({
      kind: Type.Union([Type.Literal('city'), Type.Literal('country')]),
      page: Type.Integer({ minimum: 1 }),
    }),
    query: Type.Object({
      q: Type.String({ minLength: 3 }),
      limit: Type.Integer({ minimum: 1, maximum: 50 }),
      sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    }),
    headers: Type.Object({
      'x-tenant': Type.String({ pattern: '^[a-z]+$' }),
      'x-version': Type.Integer({ minimum: 1 }),
    }),
    handler: () => [],
  });
}

function service(config: DeepPartial<CoreConfig> = {}) {
  return createService({
    name: 'errors',
    config: { log: { level: 'silent' }, openapi: { enabled: false }, ...config },
    routes: [cityRoutes(), searchRoute()],
  });
}

function fieldsOf(body: unknown): FieldError[] {
  const error = (body as ErrorEnvelope).error as { fields: FieldError[] };
  return [...error.fields].sort((a, b) => `${a.in}${a.path}`.localeCompare(`${b.in}${b.path}`));
}

describe('schema validation', () => {
  it('lists every failing body field at once, each with in, path and message', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({
        method: 'POST',
        url: '/cities',
        payload: { name: '', population: -5, address: { street: 'Main' } },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
      const fields = fieldsOf(res.body);
      expect(fields.map((f) => [f.in, f.path])).toEqual([
        ['body', '/address/zip'],
        ['body', '/country'],
        ['body', '/name'],
        ['body', '/population'],
      ]);
      for (const field of fields) expect(field.message).toEqual(expect.any(String));
      expect(fields.every((f) => f.message.length > 0)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('lists every failing query field', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({
        method: 'GET',
        url: '/search/city/1?q=ab&limit=500&sort=up',
        headers: { 'x-tenant': 'acme', 'x-version': '2' },
      });
      expect(res.status).toBe(400);
      expect((res.body as ErrorEnvelope).code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res.body).map((f) => [f.in, f.path])).toEqual([
        ['query', '/limit'],
        ['query', '/q'],
        ['query', '/sort'],
      ]);
      // One line for a failed union, naming its allowed values, not one per branch.
      expect(fieldsOf(res.body).find((f) => f.path === '/sort')?.message).toBe(
        'must be one of "asc", "desc"',
      );
    } finally {
      await t.close();
    }
  });

  it('lists every failing path parameter', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({
        method: 'GET',
        url: '/search/town/0?q=lyon&limit=5',
        headers: { 'x-tenant': 'acme', 'x-version': '2' },
      });
      expect(res.status).toBe(400);
      expect((res.body as ErrorEnvelope).code).toBe('VALIDATION_FAILED');
      const fields = fieldsOf(res.body);
      expect(new Set(fields.map((f) => `${f.in} ${f.path}`))).toEqual(
        new Set(['params /kind', 'params /page']),
      );
    } finally {
      await t.close();
    }
  });

  it('lists every failing header, missing ones included', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({
        method: 'GET',
        url: '/search/city/1?q=lyon&limit=5',
        headers: { 'x-tenant': 'ACME!' },
      });
      expect(res.status).toBe(400);
      expect((res.body as ErrorEnvelope).code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(res.body).map((f) => [f.in, f.path])).toEqual([
        ['headers', '/x-tenant'],
        ['headers', '/x-version'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('reports failures of every request part together, not only the first part checked', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({
        method: 'GET',
        url: '/search/town/1?q=ab&limit=5',
        headers: { 'x-version': 'two', 'x-tenant': 'acme' },
      });
      expect(res.status).toBe(400);
      expect(new Set(fieldsOf(res.body).map((f) => `${f.in} ${f.path}`))).toEqual(
        new Set(['params /kind', 'query /q', 'headers /x-version']),
      );
    } finally {
      await t.close();
    }
  });
});

/** POST `payload` to /cities of a fresh service, with this content type. */
async function postCities(payload: string | Buffer | Readable, contentType = 'application/json') {
  const t = await testService(service());
  try {
    return await t.request({
      method: 'POST',
      url: '/cities',
      headers: { 'content-type': contentType },
      payload,
    });
  } finally {
    await t.close();
  }
}

describe('request bodies that cannot be read', () => {
  it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
    const res = await postCities('{"name": "Oslo",');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('answers 400 MALFORMED_JSON for a body that is not valid UTF-8, rather than altering it', async () => {
    // Latin-1 "Tromsø": 0xf8 alone is no UTF-8 sequence.
    const res = await postCities(
      Buffer.concat([
        Buffer.from('{"name":"Troms'),
        Buffer.from([0xf8]),
        Buffer.from('","population":1,"country":"NO"}'),
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'MALFORMED_JSON',
      message: 'Request body is not valid JSON',
      error: { detail: 'body is not valid UTF-8' },
    });
  });

  it('reads a UTF-8 body whole, a character split across network chunks included', async () => {
    // 'ø' is 0xc3 0xb8: the first chunk ends between its two bytes.
    const res = await postCities(
      Readable.from([
        Buffer.from([...Buffer.from('{"name":"Troms'), 0xc3]),
        Buffer.from([0xb8, ...Buffer.from(' \ufffd 東京","population":1,"country":"NO"}')]),
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ data: { name: 'Tromsø \ufffd 東京' } });
  });

  it('answers 400 MALFORMED_JSON for an empty body sent as JSON', async () => {
    const res = await postCities('');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it.each([
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a %s body', async (contentType) => {
    const res = await postCities('name=Oslo', contentType);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining(contentType),
    });
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body without a content type', async () => {
    const t = await testService(service());
    try {
      const res = await t.service.app.inject({
        method: 'POST',
        url: '/cities',
        payload: Buffer.from('{"name":"Oslo"}'),
      });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Unsupported content type: (none)',
      });
    } finally {
      await t.close();
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE when Content-Length exceeds bodyLimit', async () => {
    const t = await testService(service({ http: { bodyLimit: 100 } }));
    try {
      const res = await t.request({
        method: 'POST',
        url: '/cities',
        payload: { name: 'x'.repeat(200), population: 1, country: 'NO' },
      });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        code: 'PAYLOAD_TOO_LARGE',
        message: 'Request body is larger than 100 bytes',
        error: { limit: 100 },
      });
    } finally {
      await t.close();
    }
  });

  it('still accepts a body just under bodyLimit', async () => {
    const t = await testService(service({ http: { bodyLimit: 100 } }));
    try {
      const res = await t.client.createCity({
        body: { name: 'Oslo', population: 1, country: 'NO' },
      });
      expect(res.status).toBe(201);
    } finally {
      await t.close();
    }
  });
});

describe('forbidden keys', () => {
  const payloads: Record<string, string> = {
    '__proto__ at the top':
      '{"name":"Oslo","population":1,"country":"NO","__proto__":{"polluted":true}}',
    'constructor.prototype at the top':
      '{"name":"Oslo","population":1,"country":"NO","constructor":{"prototype":{"polluted":true}}}',
    'a unicode-escaped __proto__':
      '{"name":"Oslo","population":1,"country":"NO","\\u005f_proto__":{"polluted":true}}',
    'a unicode-escaped constructor':
      '{"name":"Oslo","population":1,"country":"NO","\\u0063onstructor":{"prototype":{"polluted":true}}}',
    '__proto__ inside an array':
      '{"name":"Oslo","population":1,"country":"NO","tags":[{"a":1},{"__proto__":{"polluted":true}}]}',
    'constructor.prototype nested in objects':
      '{"name":"Oslo","population":1,"country":"NO","address":{"zip":"1","street":"a","x":{"constructor":{"prototype":{"polluted":true}}}}}',
    '__proto__ in a top-level array': '[{"__proto__":{"polluted":true}}]',
  };

  it.each(Object.entries(payloads))('answers 400 FORBIDDEN_KEY for %s', async (_, payload) => {
    const res = await postCities(payload);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN_KEY' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('accepts harmless keys that merely mention constructor', async () => {
    const seen: unknown[] = [];
    const t = await testService(
      createService({
        name: 'keys',
        config: { log: { level: 'silent' }, openapi: { enabled: false } },
        routes: [
          route({
            method: 'POST',
            url: '/echo',
            name: 'echo',
            body: Type.Object({ constructor: Type.String() }),
            handler: ({ body }) => {
              seen.push(body);
              return body;
            },
          }),
        ],
      }),
    );
    try {
      const res = await t.client.echo({ body: { constructor: 'Lyon builders' } });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ constructor: 'Lyon builders' });
    } finally {
      await t.close();
    }
  });
});

describe('routing errors', () => {
  it('answers 404 NOT_FOUND for an unknown path', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({ method: 'GET', url: '/nowhere?x=1' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
      expect(res.headers.allow).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('answers 405 METHOD_NOT_ALLOWED with Allow for a wrong method on a path with params', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({ method: 'DELETE', url: '/cities/1' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body).toEqual({
        code: 'METHOD_NOT_ALLOWED',
        message: 'Method DELETE is not allowed here',
        error: { allow: ['GET', 'HEAD'] },
      });
    } finally {
      await t.close();
    }
  });

  it('lists only the methods of the matching path in Allow', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({ method: 'PUT', url: '/cities' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
    } finally {
      await t.close();
    }
  });

  it('keeps every Allow method usable: HEAD on a GET route answers, not 405', async () => {
    const t = await testService(service());
    try {
      // Straight to inject: a HEAD reply has a JSON content type but no body to parse.
      const res = await t.service.app.inject({ method: 'HEAD', url: '/cities/1' });
      expect(res.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('answers 404, not 405, when the method is allowed but the exact path is not served', async () => {
    const t = await testService(service());
    try {
      const res = await t.request({ method: 'GET', url: '/cities/1/' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await t.close();
    }
  });

  it('still answers 404 for unknown paths when CORS registers its catch-all OPTIONS route', async () => {
    const t = await testService(service({ cors: { origins: ['*'] } }));
    try {
      const missing = await t.request({ method: 'GET', url: '/nowhere' });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
      const wrong = await t.request({ method: 'DELETE', url: '/cities/1' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.allow).toBe('GET, HEAD, OPTIONS');
    } finally {
      await t.close();
    }
  });
});

describe('unexpected failures', () => {
  function collectLines() {
    const lines: Record<string, unknown>[] = [];
    return { lines, destination: { write: (line: string) => lines.push(JSON.parse(line)) } };
  }

  function failingService(destination: { write(line: string): void }, thrown: () => unknown) {
    return createService({
      name: 'failing',
      config: { log: { level: 'info' }, openapi: { enabled: false } },
      logDestination: destination,
      routes: [
        route({
          method: 'GET',
          url: '/boom',
          name: 'boom',
          handler: () => {
            throw thrown();
          },
        }),
      ],
    });
  }

  it('answers 500 INTERNAL_ERROR without stack or message and logs the stack with the request id', async () => {
    const { lines, destination } = collectLines();
    const t = await testService(
      failingService(destination, () => new Error('database password is hunter2')),
    );
    try {
      const res = await t.request({
        method: 'GET',
        url: '/boom',
        headers: { 'x-request-id': 'req-500-check' },
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
      expect(JSON.stringify(res.body)).not.toMatch(/hunter2|at .*\.ts|stack/);

      const logged = lines.find((l) => l.level === 'error');
      expect(logged).toBeDefined();
      expect(logged?.req_id).toBe('req-500-check');
      const err = logged?.err as { stack?: string; message?: string };
      expect(err.message).toBe('database password is hunter2');
      expect(err.stack).toContain('database password is hunter2');
      expect(err.stack).toMatch(/\n\s+at /);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['a string', () => 'x'],
    ['an empty object', () => ({})],
    ['null', () => null],
    ['an object posing with a status', () => ({ statusCode: 500, message: 'internal detail' })],
  ])('answers 500 INTERNAL_ERROR when a handler throws %s', async (_, thrown) => {
    const { lines, destination } = collectLines();
    const t = await testService(failingService(destination, thrown));
    try {
      const res = await t.request({
        method: 'GET',
        url: '/boom',
        headers: { 'x-request-id': 'req-odd-throw' },
      });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
      expect(lines.some((l) => l.level === 'error' && l.req_id === 'req-odd-throw')).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('errors raised by Fastify plugins and hooks', () => {
  it('keeps the 4xx status of an error thrown by a hook', async () => {
    const svc = service();
    svc.app.addHook('onRequest', async (request) => {
      if (request.headers.authorization === undefined) {
        throw Object.assign(new Error('No Authorization was found in request.headers'), {
          statusCode: 401,
          code: 'FST_JWT_NO_AUTHORIZATION_IN_HEADER',
        });
      }
    });
    const t = await testService(svc);
    try {
      const res = await t.request({ method: 'GET', url: '/cities/1' });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        code: 'FST_JWT_NO_AUTHORIZATION_IN_HEADER',
        message: 'No Authorization was found in request.headers',
      });
      const ok = await t.request({
        method: 'GET',
        url: '/cities/1',
        headers: { authorization: 'Bearer x' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('gives a 4xx without a usable code a stable code derived from its status', async () => {
    const svc = service();
    svc.app.addHook('preHandler', async () => {
      throw Object.assign(new Error('Rate limit exceeded'), { statusCode: 429 });
    });
    const t = await testService(svc);
    try {
      const res = await t.request({ method: 'GET', url: '/cities/1' });
      expect(res.status).toBe(429);
      expect(res.body).toEqual({ code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' });
    } finally {
      await t.close();
    }
  });
});

describe('route table', () => {
  it('refuses duplicate route names, naming both routes', () => {
    const make = () =>
      createService({
        name: 'dupes',
        config: { log: { level: 'silent' } },
        routes: [
          route({ method: 'GET', url: '/a', name: 'listThings', handler: () => [] }),
          group({ prefix: '/b' }, [
            route({ method: 'POST', url: '/', name: 'listThings', handler: () => [] }),
          ]),
        ],
      });
    expect(make).toThrow(RouteDefinitionError);
    expect(make).toThrow(/listThings/);
    expect(make).toThrow(/GET \/a/);
    expect(make).toThrow(/POST \/b/);
  });

  it('refuses a route name that collides with a built-in route', () => {
    const make = () =>
      createService({
        name: 'dupes',
        config: { log: { level: 'silent' } },
        routes: [route({ method: 'GET', url: '/live', name: 'healthLive', handler: () => 1 })],
      });
    expect(make).toThrow(RouteDefinitionError);
    expect(make).toThrow(/GET \/health\/live.*GET \/live/);
  });

  it('refuses two routes on the same method and URL, naming both', () => {
    const make = () =>
      createService({
        name: 'dupes',
        config: { log: { level: 'silent' } },
        routes: [
          route({ method: 'GET', url: '/things', name: 'listThings', handler: () => [] }),
          group({ prefix: '/things' }, [
            route({ method: 'GET', url: '/', name: 'allThings', handler: () => [] }),
          ]),
        ],
      });
    expect(make).toThrow(RouteDefinitionError);
    expect(make).toThrow(/"listThings" and "allThings" both answer GET \/things/);
  });
});
