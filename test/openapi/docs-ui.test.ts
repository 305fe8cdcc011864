import { describe, expect, it } from 'vitest';
import { testService } from 'wharf/testing';
import { ordersService } from './fixture.js';

/** Every `src` and `href` attribute of a page. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1] as string);
}

/** The path a browser on `pageUrl` would request for `asset`. */
function pathOf(asset: string, pageUrl: string): string {
  const url = new URL(asset, `http://service.test${pageUrl}`);
  expect(url.origin).toBe('http://service.test');
  return url.pathname;
}

describe('/docs', () => {
  for (const page of ['/docs', '/docs/']) {
    it(`serves the interactive UI page at ${page}`, async () => {
      const t = await testService(ordersService());
      const res = await t.request({ method: 'GET', url: page });
      await t.close();
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const html = res.body as unknown as string;
      expect(html).toContain('<div id="swagger-ui">');
      expect(html).toContain('<title>orders API</title>');
    });

    it(`references only assets of the service itself at ${page} (no CDN)`, async () => {
      const t = await testService(ordersService());
      const html = (await t.request({ method: 'GET', url: page })).body as unknown as string;
      const urls = assetUrls(html);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) {
        expect(url, url).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
        expect(url, url).not.toMatch(/^\/\//);
      }
      const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1] as string);
      expect(scripts.some((s) => s.endsWith('swagger-ui-bundle.js'))).toBe(true);
      for (const script of scripts) {
        const res = await t.request({ method: 'GET', url: pathOf(script, page) });
        expect(res.status, script).toBe(200);
        expect(res.headers['content-type'], script).toMatch(/javascript/);
      }
      const css = urls.find((u) => u.endsWith('swagger-ui.css')) as string;
      expect((await t.request({ method: 'GET', url: pathOf(css, page) })).status).toBe(200);
      await t.close();
    });
  }

  it('loads the spec from /openapi/spec.json', async () => {
    const t = await testService(ordersService());
    const html = (await t.request({ method: 'GET', url: '/docs' })).body as unknown as string;
    const initializer = assetUrls(html).find((u) => u.endsWith('swagger-initializer.js'));
    expect(initializer).toBeDefined();
    const res = await t.request({ method: 'GET', url: pathOf(initializer as string, '/docs') });
    const script = res.body as unknown as string;
    // A `urls` list is what the UI downloads; the plugin's own `url` is then ignored.
    const urls = /"urls":(\[[^\]]*\])/.exec(script)?.[1];
    expect(urls && JSON.parse(urls)).toEqual([{ name: 'orders', url: '/openapi/spec.json' }]);
    expect((await t.request({ method: 'GET', url: '/openapi/spec.json' })).status).toBe(200);
    await t.close();
  });

  it('serves neither the UI nor the spec when openapi.enabled is false', async () => {
    const t = await testService(ordersService({ openapi: { enabled: false } }));
    for (const url of [
      '/docs',
      '/docs/',
      '/docs/static/swagger-ui-bundle.js',
      '/docs/json',
      '/openapi/spec.json',
    ]) {
      const res = await t.request({ method: 'GET', url });
      expect(res.status, url).toBe(404);
      expect(res.body, url).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await t.client.ping()).status).toBe(200);
    await t.close();
  });
});
