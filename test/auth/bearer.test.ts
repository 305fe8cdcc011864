import { afterEach, describe, expect, it } from 'vitest';
import { type TestHarness, testService } from 'wharf/testing';
import { AUDIENCE, bearer, hmacToken, ISSUER, ordersService, SECRET } from './fixture.js';

const started: Pick<TestHarness<never>, 'close'>[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

async function start(config?: Parameters<typeof ordersService>[0]) {
  const t = await testService(ordersService(config));
  started.push(t);
  return t;
}

describe('bearer authentication', () => {
  it('lets a valid token through and shows its claims to the handler', async () => {
    const t = await start();
    const token = await hmacToken({ sub: 'user-7', scope: 'orders:read orders:write' });
    const res = await t.client.me({ headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ sub: 'user-7', scopes: ['orders:read', 'orders:write'] });
  });

  it('reads scopes from scope, scp and scopes alike', async () => {
    const t = await start();
    const token = await hmacToken({ sub: 'u', scp: ['a'], scopes: ['b', 'orders:write'] });
    const res = await t.client.me({ headers: bearer(token) });
    expect(res.data?.scopes).toEqual(['a', 'b', 'orders:write']);
  });

  it('answers 401 TOKEN_MISSING with a bare challenge when no token is sent', async () => {
    const t = await start();
    const res = await t.client.me();
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'TOKEN_MISSING', message: 'A bearer token is required' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('treats another scheme as no token', async () => {
    const t = await start();
    const res = await t.client.me({ headers: { authorization: 'Basic dXNlcjpwdw==' } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_MISSING');
  });

  it.each([
    ['an empty Bearer header', 'Bearer'],
    ['a token with spaces', 'Bearer abc def'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('answers 401 TOKEN_INVALID for %s', async (_, header) => {
    const t = await start();
    const res = await t.client.me({ headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_INVALID');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('answers 401 TOKEN_INVALID for a token signed with another secret', async () => {
    const t = await start();
    const token = await hmacToken({ sub: 'u' }, { secret: 'another-secret-that-is-long-enough!!' });
    const res = await t.client.me({ headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'TOKEN_INVALID', message: 'The bearer token is invalid' });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The bearer token is invalid"',
    );
  });

  it('answers 401 TOKEN_EXPIRED for an expired token', async () => {
    const t = await start();
    const past = Math.floor(Date.now() / 1000) - 60;
    const res = await t.client.me({
      headers: bearer(await hmacToken({ sub: 'u' }, { expiresAt: past })),
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The bearer token has expired"',
    );
  });

  it('accepts a token expired less than clockToleranceSec ago', async () => {
    const t = await start({ secret: SECRET, clockToleranceSec: 30 });
    const past = Math.floor(Date.now() / 1000) - 10;
    const res = await t.client.me({
      headers: bearer(await hmacToken({ sub: 'u' }, { expiresAt: past })),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a token without an expiry', async () => {
    const t = await start();
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    const res = await t.client.me({ headers: bearer(token) });
    expect(res.body.code).toBe('TOKEN_INVALID');
  });

  it('refuses an algorithm outside auth.jwt.algorithms', async () => {
    const t = await start();
    const res = await t.client.me({
      headers: bearer(await hmacToken({ sub: 'u' }, { alg: 'HS512' })),
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_INVALID');
  });

  it('checks the issuer and the audience when they are configured', async () => {
    const t = await start({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const good = await hmacToken({ sub: 'u' }, { issuer: ISSUER, audience: AUDIENCE });
    const wrongIssuer = await hmacToken(
      { sub: 'u' },
      { issuer: 'https://evil.test', audience: AUDIENCE },
    );
    const wrongAudience = await hmacToken({ sub: 'u' }, { issuer: ISSUER, audience: 'billing' });
    const none = await hmacToken({ sub: 'u' });
    expect((await t.client.me({ headers: bearer(good) })).status).toBe(200);
    for (const token of [wrongIssuer, wrongAudience, none]) {
      const res = await t.client.me({ headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_INVALID');
    }
  });

  it('answers 403 INSUFFICIENT_SCOPE naming the missing scope', async () => {
    const t = await start();
    const token = await hmacToken({ sub: 'u', scope: 'orders:read' });
    const res = await t.client.createOrder({ headers: bearer(token), body: { sku: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      code: 'INSUFFICIENT_SCOPE',
      message: 'The bearer token lacks a required scope',
      error: { missing: ['orders:write'] },
    });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="orders:write"',
    );
  });

  it('refuses a request before validating its body', async () => {
    const t = await start();
    const res = await t.client.createOrder({ body: {} as { sku: string } });
    expect(res.status).toBe(401);
    const token = await hmacToken({ sub: 'u-1', scope: 'orders:write' });
    const ok = await t.client.createOrder({ headers: bearer(token), body: { sku: 'x' } });
    expect(ok.status).toBe(201);
    expect(ok.data).toEqual({ sku: 'x', by: 'u-1' });
  });

  it('leaves routes without auth alone, even with a bad token', async () => {
    const t = await start();
    const res = await t.client.ping({ headers: { authorization: 'Bearer garbage' } });
    expect(res.status).toBe(200);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('lets an optional route through without a token but not with a bad one', async () => {
    const t = await start();
    expect((await t.client.greeting()).data).toBe('hello stranger');
    const token = await hmacToken({ sub: 'ana' });
    expect((await t.client.greeting({ headers: bearer(token) })).data).toBe('hello ana');
    const bad = await t.client.greeting({ headers: { authorization: 'Bearer x.y.z' } });
    expect(bad.status).toBe(401);
  });

  it('applies a group auth to its routes, adding up scopes, unless a route opts out', async () => {
    const t = await start();
    const adminOnly = await hmacToken({ sub: 'u', scope: 'admin' });
    const both = await hmacToken({ sub: 'u', scope: 'admin stats:read' });
    expect((await t.client.stats()).status).toBe(401);
    const partial = await t.client.stats({ headers: bearer(adminOnly) });
    expect(partial.status).toBe(403);
    expect(partial.body).toMatchObject({ error: { missing: ['stats:read'] } });
    expect((await t.client.stats({ headers: bearer(both) })).data).toEqual(['admin', 'stats:read']);
    expect((await t.client.adminOpen()).status).toBe(200);
  });

  it('protects the HEAD twin of a GET route too', async () => {
    const t = await start();
    const res = await t.request({ method: 'HEAD', url: '/me' });
    expect(res.status).toBe(401);
  });
});
