import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { testService } from 'wharf/testing';
import { bearer, hmacToken, ordersService, SECRET } from './fixture.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A key server on a free port that serves the public halves of `keys`, and counts fetches. */
async function keyServer(keys: Record<string, KeyPair>) {
  const jwks = {
    keys: await Promise.all(
      Object.entries(keys).map(async ([kid, pair]) => ({
        ...(await exportJWK(pair.publicKey)),
        kid,
      })),
    ),
  };
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  closers.push(close);
  return { url, close, fetches: () => fetches };
}

async function start(config: Parameters<typeof ordersService>[0]) {
  const t = await testService(ordersService(config));
  closers.push(() => t.close());
  return t;
}

function signed(pair: KeyPair, alg: string, kid: string, claims: Record<string, unknown> = {}) {
  return new SignJWT({ sub: 'svc', ...claims })
    .setProtectedHeader({ alg, kid })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(pair.privateKey);
}

describe('tokens checked against a JSON Web Key Set', () => {
  it('accepts RS256 and ES256 tokens signed by keys of the set', async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    const keys = await keyServer({ rsa, ec });
    const t = await start({ jwksUrl: keys.url });
    for (const token of [await signed(rsa, 'RS256', 'rsa'), await signed(ec, 'ES256', 'ec')]) {
      const res = await t.client.me({ headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(res.data?.sub).toBe('svc');
    }
    // Fetched once and cached, not once per request.
    expect(keys.fetches()).toBe(1);
  });

  it('answers 401 TOKEN_INVALID for a key that is not in the set', async () => {
    const known = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const keys = await keyServer({ known });
    const t = await start({ jwksUrl: keys.url, jwksCooldownMs: 60_000 });
    const res = await t.client.me({ headers: bearer(await signed(stranger, 'ES256', 'known')) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_INVALID');
    const unknownKid = await t.client.me({
      headers: bearer(await signed(stranger, 'ES256', 'nope')),
    });
    expect(unknownKid.body.code).toBe('TOKEN_INVALID');
  });

  it('answers 503 AUTH_UNAVAILABLE, not 500, when the key server is down', async () => {
    const pair = await generateKeyPair('RS256');
    const keys = await keyServer({ pair });
    await keys.close();
    const t = await start({ jwksUrl: keys.url, jwksTimeoutMs: 1_000 });
    const res = await t.client.me({ headers: bearer(await signed(pair, 'RS256', 'pair')) });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      code: 'AUTH_UNAVAILABLE',
      message: 'Token keys are unavailable, retry later',
    });
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('answers 503 when the key server answers something that is not a key set', async () => {
    const server = createServer((_req, res) => res.writeHead(500).end('oops'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const pair = await generateKeyPair('ES256');
    const t = await start({ jwksUrl: url });
    const res = await t.client.me({ headers: bearer(await signed(pair, 'ES256', 'k')) });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('AUTH_UNAVAILABLE');
  });

  it('checks HS256 tokens with the secret and the others with the set when both are given', async () => {
    const pair = await generateKeyPair('ES256');
    const keys = await keyServer({ pair });
    const t = await start({ secret: SECRET, jwksUrl: keys.url });
    expect((await t.client.me({ headers: bearer(await hmacToken({ sub: 'a' })) })).status).toBe(
      200,
    );
    expect(
      (await t.client.me({ headers: bearer(await signed(pair, 'ES256', 'pair')) })).status,
    ).toBe(200);
  });

  it('refuses HS256 tokens when only a key set is configured', async () => {
    const keys = await keyServer({ pair: await generateKeyPair('ES256') });
    const t = await start({ jwksUrl: keys.url });
    const res = await t.client.me({ headers: bearer(await hmacToken({ sub: 'a' })) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_INVALID');
    expect(keys.fetches()).toBe(0);
  });
});
