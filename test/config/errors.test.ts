import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TProperties } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, type LoadConfigOptions, loadConfig, Type } from 'wharf';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-errors-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Write a file into the temp folder; returns its absolute path. */
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

interface FailureOptions extends Omit<LoadConfigOptions, 'schema'> {
  /** Application settings, wrapped in Type.Object. */
  app?: TProperties;
}

/** The message of the ConfigError loading fails with; fails the test when loading works. */
async function failure({ app, ...rest }: FailureOptions = {}): Promise<string> {
  const schema = app ? Type.Object(app) : undefined;
  const error = await loadConfig({ cwd: dir, env: {}, ...rest, schema }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe(ErrorCode.config);
  return (error as ConfigError).message;
}

describe('invalid values', () => {
  it('names the key, the variable, the text and the expected type', async () => {
    const message = await failure({ env: { WHARF_HTTP_PORT: 'abc' } });
    expect(message).toBe(
      'Invalid configuration: http.port = "abc" (from env WHARF_HTTP_PORT): expected integer from 0 to 65535',
    );
  });

  it('names the alias when the value came through it', async () => {
    expect(await failure({ env: { PORT: '70000' } })).toBe(
      'Invalid configuration: http.port = "70000" (from env PORT): expected integer from 0 to 65535',
    );
  });

  it('names the .env file and the variable in it', async () => {
    const file = write('bad.env', 'WHARF_LOG_LEVEL=loud\n');
    expect(await failure({ env: { WHARF_ENV_FILE: file } })).toBe(
      `Invalid configuration: log.level = "loud" (from WHARF_LOG_LEVEL in ${file}): expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent"`,
    );
  });

  it('names the config module for a value it set', async () => {
    const file = write('bad-port.mjs', 'export default { http: { port: 70000 } };');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: http.port = 70000 (from config module ${file}): expected integer from 0 to 65535`,
    );
  });

  it('names loadConfig defaults for a value they set', async () => {
    expect(await failure({ defaults: { http: { bodyLimit: 0 } } })).toBe(
      'Invalid configuration: http.bodyLimit = 0 (from loadConfig defaults): expected integer >= 1',
    );
  });

  it('describes string rules of an app setting', async () => {
    expect(
      await failure({
        app: { name: Type.String({ minLength: 3, pattern: '^[a-z]+$' }) },
        env: { WHARF_NAME: 'A' },
      }),
    ).toBe(
      'Invalid configuration: name = "A" (from env WHARF_NAME): expected string of at least 3 chars, matching /^[a-z]+$/',
    );
  });

  it('reports a value of the wrong type from the module as JSON', async () => {
    const file = write(
      'bad-origins.mjs',
      'export default { cors: { origins: "https://a.example" } };',
    );
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: cors.origins = "https://a.example" (from config module ${file}): expected array of string`,
    );
  });
});

describe('missing settings', () => {
  it('says how to set a required app setting', async () => {
    expect(await failure({ app: { citiesUrl: Type.String() } })).toBe(
      'Invalid configuration: citiesUrl is missing (set WHARF_CITIES_URL or add it to the config module): expected string',
    );
  });

  it('mentions the alias a required setting declares', async () => {
    expect(await failure({ app: { citiesUrl: Type.String({ env: 'CITIES_URL' }) } })).toBe(
      'Invalid configuration: citiesUrl is missing (set WHARF_CITIES_URL or CITIES_URL or add it to the config module): expected string',
    );
  });

  it('names the missing setting inside a group', async () => {
    expect(await failure({ app: { store: Type.Object({ url: Type.String() }) } })).toBe(
      'Invalid configuration: store.url is missing (set WHARF_STORE_URL or add it to the config module): expected string',
    );
  });
});

describe('keys the schema does not declare', () => {
  it('rejects a misspelt top-level key in the config module and suggests the right one', async () => {
    const file = write('typo-top.mjs', 'export default { htpp: { port: 1 } };');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: htpp is not a known setting (from config module ${file}); did you mean http?`,
    );
  });

  it('rejects a misspelt nested key and suggests the right one', async () => {
    const file = write('typo-nested.json', '{ "http": { "prot": 1 } }');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: http.prot is not a known setting (from config module ${file}); did you mean http.port?`,
    );
  });

  it('rejects an unrelated key without a suggestion', async () => {
    const file = write('unknown.mjs', 'export default { completelyElse: true };');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: completelyElse is not a known setting (from config module ${file})`,
    );
  });

  it('passes over unknown top-level keys for a tool that asks, still catching typos inside groups', async () => {
    const appModule = write(
      'app-settings.mjs',
      'export default { citiesUrl: "x", http: { port: 9 } };',
    );
    const config = await loadConfig({
      cwd: dir,
      env: { WHARF_CONFIG: appModule },
      ignoreUnknownSettings: true,
    });
    expect(config.http.port).toBe(9);
    expect(config).not.toHaveProperty('citiesUrl');
    const file = write('typo-nested-tool.json', '{ "http": { "prot": 1 } }');
    expect(await failure({ env: { WHARF_CONFIG: file }, ignoreUnknownSettings: true })).toBe(
      `Invalid configuration: http.prot is not a known setting (from config module ${file}); did you mean http.port?`,
    );
  });

  it('rejects __proto__ in a JSON module instead of merging it', async () => {
    const file = write('proto.json', '{ "__proto__": { "polluted": true } }');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: __proto__ is not a known setting (from config module ${file})`,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects unknown keys in loadConfig defaults too', async () => {
    const defaults = { log: { levle: 'debug' } } as LoadConfigOptions['defaults'];
    expect(await failure({ defaults })).toBe(
      'Invalid configuration: log.levle is not a known setting (from loadConfig defaults); did you mean log.level?',
    );
  });

  it('rejects a plain value where a group of settings belongs', async () => {
    const file = write('flat.mjs', 'export default { http: 8080 };');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Invalid configuration: http = 8080 (from config module ${file}): expected object`,
    );
  });
});

describe('several problems', () => {
  it('puts one self-contained line per problem, the first one first', async () => {
    const message = await failure({
      app: { citiesUrl: Type.String() },
      env: { WHARF_HTTP_PORT: 'abc', WHARF_LOG_ACCESS_LOG: 'maybe' },
    });
    expect(message.split('\n')).toEqual([
      'Invalid configuration: http.port = "abc" (from env WHARF_HTTP_PORT): expected integer from 0 to 65535',
      'Invalid configuration: log.accessLog = "maybe" (from env WHARF_LOG_ACCESS_LOG): expected boolean (true, false, 1, 0, yes or no)',
      'Invalid configuration: citiesUrl is missing (set WHARF_CITIES_URL or add it to the config module): expected string',
    ]);
  });
});

describe('sources that cannot be read', () => {
  it('names the path of a config module that does not exist', async () => {
    expect(await failure({ env: { WHARF_CONFIG: 'missing/config.ts' } })).toBe(
      `Config module not found: ${join(dir, 'missing/config.ts')} (from WHARF_CONFIG)`,
    );
  });

  it('names the path of a config module that throws on import', async () => {
    const file = write('throws.mjs', 'throw new Error("boom\\nsecond line");\nexport default {};');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Config module ${file} failed to load: boom`,
    );
  });

  it('names the path of a config module with a syntax error', async () => {
    const file = write('syntax.mjs', 'export default { http: { port: 1 };');
    const message = await failure({ env: { WHARF_CONFIG: file } });
    expect(message).toMatch(new RegExp(`^Config module ${escapeRegExp(file)} failed to load: `));
    expect(message).not.toContain('\n');
  });

  it('names the path of a config module whose function throws', async () => {
    const file = write(
      'fn-throws.mjs',
      'export default async () => { throw new Error("no vault"); };',
    );
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Config module ${file} failed to load: no vault`,
    );
  });

  it('names the path of a JSON module that does not parse', async () => {
    const file = write('broken.json', '{ "http": ');
    const message = await failure({ env: { WHARF_CONFIG: file } });
    expect(message).toMatch(new RegExp(`^Config module ${escapeRegExp(file)} failed to load: `));
    expect(message).not.toContain('\n');
  });

  it('names the path of a config module without a usable export', async () => {
    const file = write('no-export.mjs', 'export const other = {};');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Config module ${file} has no default export and no "config" export`,
    );
  });

  it('names the path of a config module that exports something other than an object', async () => {
    const file = write('array.mjs', 'export default [1, 2];');
    expect(await failure({ env: { WHARF_CONFIG: file } })).toBe(
      `Config module ${file} must export a plain object (as default or as "config"), got an array`,
    );
  });

  it('names the path of an explicitly named .env file that does not exist', async () => {
    expect(await failure({ env: { WHARF_ENV_FILE: 'nope.env' } })).toBe(
      `.env file not found: ${join(dir, 'nope.env')} (from WHARF_ENV_FILE)`,
    );
  });

  it('names the path of a .env file that cannot be read', async () => {
    const folder = join(dir, 'folder.env');
    mkdirSync(folder);
    const message = await failure({ env: { WHARF_ENV_FILE: folder } });
    expect(message).toMatch(
      new RegExp(`^Cannot read \\.env file ${escapeRegExp(folder)} \\(from WHARF_ENV_FILE\\): `),
    );
    expect(message).not.toContain('\n');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
