import { describe, expect, it } from 'vitest';
import { ConfigError, createService, RouteDefinitionError, route } from 'wharf';
import { ordersService } from './fixture.js';

function protectedService(jwt: Record<string, unknown>, scopes: string[] = []) {
  return createService({
    name: 'vault',
    config: { log: { level: 'silent' }, auth: { jwt } },
    routes: [
      route({ method: 'GET', url: '/gold', name: 'gold', auth: { scopes }, handler: () => 1 }),
    ],
  });
}

describe('starting a service with protected routes', () => {
  it('fails at start, in one line, when no key is configured', async () => {
    const service = ordersService({});
    const start = service.ready();
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(
      /^Route "me" requires auth, but neither auth\.jwt\.secret \(JWT_SECRET\) nor auth\.jwt\.jwksUrl \(JWT_JWKS_URL\) is set$/,
    );
  });

  it('starts without keys when no route asks for a token', async () => {
    const service = createService({
      name: 'open',
      config: { log: { level: 'silent' } },
      routes: [route({ method: 'GET', url: '/x', name: 'x', handler: () => 1 })],
    });
    await expect(service.ready()).resolves.toBeUndefined();
    await service.stop();
  });

  it('refuses a secret shorter than 32 characters', async () => {
    await expect(protectedService({ secret: 'short' }).ready()).rejects.toThrow(
      'auth.jwt.secret must be at least 32 characters long, got 5',
    );
  });

  it('refuses algorithms that none of the configured keys can check', async () => {
    const service = protectedService({ secret: 'x'.repeat(32), algorithms: ['ES256'] });
    await expect(service.ready()).rejects.toThrow(
      /auth\.jwt\.algorithms \(ES256\) has no algorithm/,
    );
  });

  it('refuses a jwksUrl that is not a URL', async () => {
    await expect(protectedService({ jwksUrl: 'keys please' }).ready()).rejects.toThrow(
      'auth.jwt.jwksUrl is not a URL: "keys please"',
    );
  });

  it('refuses a scope that could not be written in a WWW-Authenticate header', async () => {
    const service = protectedService({ secret: 'x'.repeat(32) }, ['a"b']);
    await expect(service.ready()).rejects.toBeInstanceOf(RouteDefinitionError);
  });

  it('refuses an algorithm outside the known list in the configuration', () => {
    expect(() => protectedService({ secret: 'x'.repeat(32), algorithms: ['none'] })).toThrow(
      ConfigError,
    );
  });
});
