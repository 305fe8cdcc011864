import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiSpec, createService, type OpenApiDocument, route } from 'wharf';
import { ordersService } from './fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped spec JSON
type Json = Record<string, any>;

function op(spec: OpenApiDocument, path: string, method: string): Json {
  return spec.paths[path]?.[method] as Json;
}

describe('OpenAPI of protected routes', () => {
  it('declares the bearer scheme and stays a valid OpenAPI 3.1 document', async () => {
    const spec = await buildOpenApiSpec(ordersService());
    expect(spec.components?.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('lists the required scopes in each protected operation', async () => {
    const spec = await buildOpenApiSpec(ordersService());
    expect(op(spec, '/me', 'get').security).toEqual([{ bearerAuth: [] }]);
    expect(op(spec, '/orders', 'post').security).toEqual([{ bearerAuth: ['orders:write'] }]);
    expect(op(spec, '/admin/stats', 'get').security).toEqual([
      { bearerAuth: ['admin', 'stats:read'] },
    ]);
    // Optional: a token, or nothing.
    expect(op(spec, '/greeting', 'get').security).toEqual([{ bearerAuth: [] }, {}]);
    expect(op(spec, '/ping', 'get').security).toBeUndefined();
    expect(op(spec, '/admin/open', 'get').security).toBeUndefined();
  });

  it('documents 401 on protected operations and 403 where scopes are required', async () => {
    const spec = await buildOpenApiSpec(ordersService());
    const me = op(spec, '/me', 'get').responses;
    expect(me['401'].description).toMatch(/TOKEN_MISSING, TOKEN_INVALID or TOKEN_EXPIRED/);
    expect(me['403']).toBeUndefined();
    expect(op(spec, '/orders', 'post').responses['403'].description).toMatch(/INSUFFICIENT_SCOPE/);
    expect(op(spec, '/ping', 'get').responses['401']).toBeUndefined();
  });

  it('declares no security scheme when no route asks for a token', async () => {
    const service = createService({
      name: 'open',
      config: { log: { level: 'silent' } },
      routes: [route({ method: 'GET', url: '/x', name: 'x', handler: () => 1 })],
    });
    const spec = await buildOpenApiSpec(service);
    expect(spec.components?.securitySchemes).toBeUndefined();
  });
});
