import { describe, expect, it } from 'vitest';
import { createService, route, Type } from 'wharf';
import { testService } from 'wharf/testing';

function citiesService(enabled?: boolean) {
  return createService({
    name: 'cities',
    config: {
      log: { level: 'silent' },
      ...(enabled === undefined ? {} : { securityHeaders: { enabled } }),
    },
    routes: [
      route({
        method: 'GET',
        url: '/cities/:id',
        name: 'getCity',
        params: Type.Object({ id: Type.Integer() }),
        response: Type.Object({ id: Type.Integer() }),
        handler: ({ params }) => ({ id: params.id }),
      }),
    ],
  });
}

/** The CSP directives of a header, by name. */
function directives(csp: unknown): Map<string, string[]> {
  return new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

describe('security headers', () => {
  it('are sent on answers by default, the envelope unchanged', async () => {
    const t = await testService(citiesService());
    const res = await t.request({ method: 'GET', url: '/cities/7' });
    await t.close();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 0, message: 'ok', data: { id: 7 } });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    // A JSON answer loads nothing and may be framed by no one.
    const csp = directives(res.headers['content-security-policy']);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('leave out the headers that only concern rendered pages', async () => {
    const t = await testService(citiesService());
    const res = await t.request({ method: 'GET', url: '/cities/7' });
    await t.close();

    for (const name of ['x-dns-prefetch-control', 'x-download-options', 'origin-agent-cluster']) {
      expect(res.headers[name], name).toBeUndefined();
    }
  });

  it('are sent on error envelopes too, which keep their shape', async () => {
    const t = await testService(citiesService());
    const notFound = await t.request({ method: 'GET', url: '/nowhere' });
    const invalid = await t.request({ method: 'GET', url: '/cities/abc' });
    await t.close();

    expect(notFound.body).toEqual({ code: 'NOT_FOUND', message: 'No route for GET /nowhere' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const res of [notFound, invalid]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeDefined();
    }
  });

  it('allow the docs UI: its own scripts, styles and images, over plain HTTP', async () => {
    const t = await testService(citiesService());
    const page = await t.request({ method: 'GET', url: '/docs' });
    await t.close();

    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    const csp = directives(page.headers['content-security-policy']);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
    expect(csp.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'data:']));
    // It would send the browser to https:// for every asset of a plain-HTTP service.
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });

  it('are not sent when securityHeaders.enabled is false', async () => {
    const t = await testService(citiesService(false));
    const res = await t.request({ method: 'GET', url: '/cities/7' });
    await t.close();

    expect(res.status).toBe(200);
    for (const name of [
      'content-security-policy',
      'x-content-type-options',
      'strict-transport-security',
      'x-frame-options',
    ]) {
      expect(res.headers[name], name).toBeUndefined();
    }
  });
});
