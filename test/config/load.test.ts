import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  type CoreConfig,
  createService,
  type LoadConfigOptions,
  loadConfig,
  Type,
} from 'wharf';
import { testService } from 'wharf/testing';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-load-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** The ConfigError `run` rejects with; fails the test when it resolves. */
async function configError(run: Promise<unknown>): Promise<ConfigError> {
  const error = await run.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig defaults', () => {
  it("returns Wharf's schema defaults when no source sets anything", async () => {
    const config = await loadConfig({ env: {}, cwd: dir });
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 8080,
      bodyLimit: 1_048_576,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      maxHeaderBytes: 16_384,
    });
    expect(config.log).toEqual({ level: 'info', accessLog: true });
    expect(config.cors).toEqual({ origins: [], credentials: false });
    expect(config.env).toBe('development');
    expectTypeOf(config).toEqualTypeOf<CoreConfig>();
  });

  it('reads process.env when no env is injected and never writes to it', async () => {
    const before = { ...process.env };
    process.env.WHARF_SHUTDOWN_DELAY_MS = '7';
    try {
      const config = await loadConfig({ cwd: dir });
      expect(config.shutdown.delayMs).toBe(7);
      expect(process.env).toEqual({ ...before, WHARF_SHUTDOWN_DELAY_MS: '7' });
    } finally {
      delete process.env.WHARF_SHUTDOWN_DELAY_MS;
    }
  });

  it('does not modify the defaults or the injected env it was given', async () => {
    const defaults = { cors: { origins: ['https://a.example'] } };
    const env = { WHARF_HTTP_PORT: '81' };
    const config = await loadConfig({ env, defaults, cwd: dir });
    config.cors.origins.push('https://b.example');
    expect(defaults).toEqual({ cors: { origins: ['https://a.example'] } });
    expect(env).toEqual({ WHARF_HTTP_PORT: '81' });
  });
});

describe('loadConfig with createService', () => {
  it('configures a service with what it loaded, app settings included', async () => {
    const config = await loadConfig({
      cwd: dir,
      schema: Type.Object({ greeting: Type.String({ default: 'hello' }) }),
      env: { WHARF_LOG_LEVEL: 'silent', WHARF_OPENAPI_ENABLED: 'no' },
    });
    const service = createService({ name: 'configured', config, routes: [] });
    const t = await testService(service);
    try {
      expect(service.config.openapi.enabled).toBe(false);
      expect(config.greeting).toBe('hello');
      expect((await t.request({ method: 'GET', url: '/openapi/spec.json' })).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('loadConfig precedence', () => {
  const layered = (env: Record<string, string>) =>
    loadConfig({ cwd: dir, defaults: { http: { port: 1001 } }, env });

  it('lays loadConfig defaults over the schema defaults', async () => {
    const config = await layered({});
    expect(config.http.port).toBe(1001);
    expect(config.http.host).toBe('0.0.0.0');
  });

  it('lays the config module over loadConfig defaults, setting by setting', async () => {
    const module = write(
      'precedence-module.mjs',
      'export default { http: { host: "127.0.0.1", port: 1002 } };',
    );
    const config = await loadConfig({
      cwd: dir,
      defaults: { http: { port: 1001, bodyLimit: 10 } },
      env: { WHARF_CONFIG: module },
    });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 1002, bodyLimit: 10 });
  });

  it('lays the .env file over the config module', async () => {
    const module = write('precedence-module-2.mjs', 'export default { http: { port: 1002 } };');
    const envFile = write('precedence.env', 'WHARF_HTTP_PORT=1003\n');
    const config = await layered({ WHARF_CONFIG: module, WHARF_ENV_FILE: envFile });
    expect(config.http.port).toBe(1003);
  });

  it('lays the process environment over the .env file', async () => {
    const module = write('precedence-module-3.mjs', 'export default { http: { port: 1002 } };');
    const envFile = write('precedence-2.env', 'WHARF_HTTP_PORT=1003\n');
    const config = await layered({
      WHARF_CONFIG: module,
      WHARF_ENV_FILE: envFile,
      WHARF_HTTP_PORT: '1004',
    });
    expect(config.http.port).toBe(1004);
  });

  it('reads the conventional alias of a setting (PORT, LOG_LEVEL, NODE_ENV)', async () => {
    const config = await loadConfig({
      cwd: dir,
      env: { PORT: '3000', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    });
    expect(config.http.port).toBe(3000);
    expect(config.log.level).toBe('warn');
    expect(config.env).toBe('production');
  });

  it('ignores HOST, which many environments set to the machine name', async () => {
    const config = await loadConfig({ cwd: dir, env: { HOST: 'build-box-7' } });
    expect(config.http.host).toBe('0.0.0.0');
  });

  it('prefers the WHARF_ name over the alias within the same source', async () => {
    const config = await loadConfig({ cwd: dir, env: { PORT: '3000', WHARF_HTTP_PORT: '3001' } });
    expect(config.http.port).toBe(3001);
  });

  it('lets an alias in the process environment beat the WHARF_ name in the .env file', async () => {
    const envFile = write('alias.env', 'WHARF_HTTP_PORT=3001\n');
    const config = await loadConfig({ cwd: dir, env: { WHARF_ENV_FILE: envFile, PORT: '3000' } });
    expect(config.http.port).toBe(3000);
  });
});

describe('loadConfig with an application schema', () => {
  const AppSchema = Type.Object({
    citiesUrl: Type.String(),
    cacheTtlMs: Type.Integer({ default: 60_000, minimum: 0 }),
    store: Type.Object({
      url: Type.String(),
      pool: Type.Integer({ default: 5 }),
    }),
    feature: Type.Optional(Type.Boolean()),
  });

  it('merges the app settings at the top level next to the core ones, typed', async () => {
    const config = await loadConfig({
      schema: AppSchema,
      cwd: dir,
      env: { WHARF_CITIES_URL: 'http://cities', WHARF_STORE_URL: 'redis://store', PORT: '9000' },
    });
    expect(config.citiesUrl).toBe('http://cities');
    expect(config.cacheTtlMs).toBe(60_000);
    expect(config.store).toEqual({ url: 'redis://store', pool: 5 });
    expect(config.feature).toBeUndefined();
    expect(config.http.port).toBe(9000);
    expectTypeOf(config.citiesUrl).toEqualTypeOf<string>();
    expectTypeOf(config.store.pool).toEqualTypeOf<number>();
    expectTypeOf(config.feature).toEqualTypeOf<boolean | undefined>();
    expectTypeOf(config.http.port).toEqualTypeOf<number>();
    expectTypeOf(config.log.level).toEqualTypeOf<CoreConfig['log']['level']>();
  });

  it('types defaults against the merged schema', async () => {
    const config = await loadConfig({
      schema: AppSchema,
      cwd: dir,
      env: {},
      defaults: { citiesUrl: 'http://d', store: { url: 'x' }, log: { level: 'silent' } },
    });
    expect(config).toMatchObject({ citiesUrl: 'http://d', store: { url: 'x' } });
    expectTypeOf<LoadConfigOptions<typeof AppSchema>['defaults']>().toMatchTypeOf<
      { citiesUrl?: string; store?: { url?: string } } | undefined
    >();
    // @ts-expect-error citiesUrl is a string, not a number
    const wrong: LoadConfigOptions<typeof AppSchema>['defaults'] = { citiesUrl: 5 };
    expect(wrong).toBeDefined();
  });

  it('fills a required group from its settings defaults when the group is absent', async () => {
    const schema = Type.Object({ pool: Type.Object({ size: Type.Integer({ default: 10 }) }) });
    const config = await loadConfig({ schema, cwd: dir, env: {} });
    expect(config.pool).toEqual({ size: 10 });
  });

  it('rejects an app key that collides with a core key before reading any source', async () => {
    const error = await configError(
      loadConfig({
        schema: Type.Object({ http: Type.String() }),
        cwd: dir,
        env: { WHARF_CONFIG: 'does-not-exist.mjs' },
      }),
    );
    expect(error.message).toBe(
      `Invalid configuration schema: application setting "http" collides with Wharf's own "http"; rename it`,
    );
  });

  it('rejects an app key whose variable another setting already reads', async () => {
    const error = await configError(
      loadConfig({ schema: Type.Object({ httpPort: Type.Integer() }), cwd: dir, env: {} }),
    );
    expect(error.message).toBe(
      'Invalid configuration schema: httpPort would be set by WHARF_HTTP_PORT, which already sets http.port; rename it',
    );
  });

  it("rejects an app key whose variable is one of the loader's own", async () => {
    const error = await configError(
      loadConfig({ schema: Type.Object({ envFile: Type.String() }), cwd: dir, env: {} }),
    );
    expect(error.message).toBe(
      'Invalid configuration schema: envFile would be set by WHARF_ENV_FILE, which is reserved by the loader; rename it',
    );
  });

  it('rejects a schema that is not an object of settings', async () => {
    const error = await configError(
      // @ts-expect-error only Type.Object is accepted
      loadConfig({ schema: Type.String(), cwd: dir, env: {} }),
    );
    expect(error.message).toMatch(
      /^Invalid configuration schema: options.schema must be a Type.Object/,
    );
  });
});
