import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from 'wharf';
import { createClient, createClients, defaultClientSettings } from 'wharf/client';

describe('client configuration', () => {
  it('has bounded defaults of a few seconds, far below undici’s 300 s', () => {
    expect(defaultClientSettings()).toEqual({
      connections: 64,
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
      deadlineMs: 10_000,
      retries: 2,
      retryDelayMs: 100,
      retryMaxDelayMs: 2_000,
      breakerThreshold: 5,
      breakerCoolDownMs: 10_000,
      maxResponseBytes: 10_485_760,
    });
  });

  it('finds an upstream by name, its own settings over the client defaults', async () => {
    const config = {
      client: {
        retries: 1,
        deadlineMs: 3_000,
        upstreams: { cities: { url: 'http://cities:8080', retries: 0 } },
      },
    };
    const cities = createClient({ name: 'cities', config });
    expect(cities.baseUrl).toBe('http://cities:8080');
    expect(cities.settings).toMatchObject({ retries: 0, deadlineMs: 3_000, connections: 64 });
    const direct = createClient({ name: 'cities', config, deadlineMs: 500 });
    expect(direct.settings.deadlineMs).toBe(500);
    await Promise.all([cities.close(), direct.close()]);
  });

  it('reads upstreams from WHARF_CLIENT_UPSTREAMS as JSON', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'wharf-client-'));
    const config = await loadConfig({
      env: { WHARF_CLIENT_UPSTREAMS: '{"roles":{"url":"http://roles:8082","connections":8}}' },
      cwd,
    });
    await rm(cwd, { recursive: true });
    const roles = createClient({ name: 'roles', config });
    expect(roles.baseUrl).toBe('http://roles:8082');
    expect(roles.settings.connections).toBe(8);
    await roles.close();
  });

  it('throws ConfigError naming the key when the configuration has no URL for the name', () => {
    expect(() => createClient({ name: 'billing', config: {} })).toThrow(ConfigError);
    expect(() => createClients({}).get('billing')).toThrow('client.upstreams.billing.url');
  });

  it('throws ConfigError for settings out of range', () => {
    expect(() => createClient({ name: 'x', baseUrl: 'http://x', connections: 0 })).toThrow(
      /client\.connections/,
    );
    expect(() =>
      createClient({ name: 'x', config: { client: { upstreams: { x: { url: 'ftp://x' } } } } }),
    ).toThrow(ConfigError);
  });

  it('rejects a base URL with a query', () => {
    expect(() => createClient({ name: 'x', baseUrl: 'http://x/?a=1' })).toThrow(/query/);
  });

  it('makes one shared client per upstream name', async () => {
    const clients = createClients({ client: { upstreams: { a: { url: 'http://a' } } } });
    expect(clients.get('a')).toBe(clients.get('a'));
    await clients.close();
  });
});
