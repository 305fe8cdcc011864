import { describe, expect, it } from 'vitest';
import { createService, route } from 'wharf';
import { testService } from 'wharf/testing';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

function corsService(cors: { origins?: string[]; credentials?: boolean }) {
  return testService(
    createService({
      name: 'cities',
      config: { log: { level: 'silent' }, cors },
      routes: [
        route({ method: 'GET', url: '/cities', name: 'listCities', handler: () => [] }),
        route({ method: 'DELETE', url: '/cities/:id', name: 'deleteCity', handler: () => null }),
      ],
    }),
  );
}

function preflight(origin: string, method = 'DELETE', url = '/cities/7') {
  return {
    method: 'OPTIONS' as const,
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type, authorization',
    },
  };
}

describe('CORS', () => {
  it('allows a listed origin on a simple request', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request({ method: 'GET', url: '/cities', headers: { origin: APP } });
    await t.close();

    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    // Caches must not serve one origin's answer to another.
    expect(String(res.headers.vary)).toMatch(/Origin/i);
  });

  it('answers a preflight with 204 and the CORS headers, not a 404 or 405 envelope', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request(preflight(APP));
    await t.close();

    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-headers']).toBe('content-type, authorization');
  });

  it('allows every verb a route can have in a preflight', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request(preflight(APP, 'PATCH'));
    await t.close();

    const allowed = String(res.headers['access-control-allow-methods']).split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
  });

  it('lets browsers read the request id', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request({ method: 'GET', url: '/cities', headers: { origin: APP } });
    await t.close();

    expect(String(res.headers['access-control-expose-headers'])).toMatch(/x-request-id/i);
  });

  it('sends no Access-Control-Allow-Origin to an origin that is not listed', async () => {
    const t = await corsService({ origins: [APP] });
    const simple = await t.request({ method: 'GET', url: '/cities', headers: { origin: EVIL } });
    const pre = await t.request(preflight(EVIL));
    await t.close();

    expect(simple.status).toBe(200);
    expect(simple.headers).not.toHaveProperty('access-control-allow-origin');
    expect(pre.headers).not.toHaveProperty('access-control-allow-origin');
  });

  it('allows any origin with "*"', async () => {
    const t = await corsService({ origins: ['*'] });
    const res = await t.request({ method: 'GET', url: '/cities', headers: { origin: EVIL } });
    const pre = await t.request(preflight(APP));
    await t.close();

    expect(res.headers['access-control-allow-origin']).toBe(EVIL);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
  });

  it('sends Access-Control-Allow-Credentials only when credentials is on', async () => {
    const withCredentials = await corsService({ origins: [APP], credentials: true });
    const on = await withCredentials.request(preflight(APP));
    await withCredentials.close();
    const without = await corsService({ origins: [APP] });
    const off = await without.request(preflight(APP));
    await without.close();

    expect(on.headers['access-control-allow-credentials']).toBe('true');
    expect(off.headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('answers a bare OPTIONS without a text/plain 400', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request({ method: 'OPTIONS', url: '/cities' });
    await t.close();

    expect(res.status).toBe(204);
  });

  it('still answers 404 for a path no route serves', async () => {
    const t = await corsService({ origins: [APP] });
    const res = await t.request({ method: 'GET', url: '/nowhere', headers: { origin: APP } });
    await t.close();

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sends no CORS headers when no origins are configured', async () => {
    const t = await corsService({});
    const simple = await t.request({ method: 'GET', url: '/cities', headers: { origin: APP } });
    const pre = await t.request(preflight(APP));
    await t.close();

    for (const res of [simple, pre]) {
      const corsHeaders = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));
      expect(corsHeaders).toEqual([]);
    }
    expect(pre.status).toBe(405);
  });
});
