import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from 'wharf';
import { signToken } from 'wharf/auth';
import { testService } from 'wharf/testing';
import { AUDIENCE, bearer, ISSUER, ordersService, SECRET } from './fixture.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('signToken', () => {
  it('issues an HS256 token that a service configured with the same settings accepts', async () => {
    const service = ordersService({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const t = await testService(service);
    closers.push(() => t.close());
    const token = await signToken(
      { sub: 'user-1', scope: 'orders:write' },
      { ...service.config.auth.jwt, expiresIn: '1h' },
    );
    const res = await t.client.createOrder({ headers: bearer(token), body: { sku: 'A-1' } });
    expect(res.status).toBe(201);
    expect(res.data).toEqual({ sku: 'A-1', by: 'user-1' });
  });

  it('sets iat and exp, and leaves out an empty issuer and audience', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await signToken({ sub: 'u' }, { secret: SECRET, expiresIn: 60, issuer: '' });
    const claims = decodeJwt(token);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims.exp).toBeGreaterThanOrEqual(before + 60);
    expect(claims.exp).toBeLessThanOrEqual(before + 61);
    expect(claims).not.toHaveProperty('iss');
    expect(claims).not.toHaveProperty('aud');
  });

  it('expires in 15 minutes unless told otherwise', async () => {
    const claims = decodeJwt(await signToken({ sub: 'u' }, { secret: SECRET }));
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('refuses a secret too short for HS256', async () => {
    await expect(signToken({ sub: 'u' }, { secret: 'short' })).rejects.toBeInstanceOf(ConfigError);
  });
});
