import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, Type } from 'wharf';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wharf-sources-'));
  // Plain .js files in the folder are ES modules, as in an application.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const fromModule = (file: string) => loadConfig({ cwd: dir, env: { WHARF_CONFIG: file } });

describe('config module named by WHARF_CONFIG', () => {
  it('loads the default export of a TypeScript module', async () => {
    const file = write(
      'config.ts',
      'const port: number = 4001;\nexport default { http: { port }, log: { level: "warn" as const } };\n',
    );
    const config = await fromModule(file);
    expect(config.http.port).toBe(4001);
    expect(config.log.level).toBe('warn');
  });

  it('loads a .js module', async () => {
    const config = await fromModule(write('config.js', 'export default { http: { port: 4002 } };'));
    expect(config.http.port).toBe(4002);
  });

  it('loads a .mjs module', async () => {
    const config = await fromModule(
      write('config.mjs', 'export default { http: { port: 4003 } };'),
    );
    expect(config.http.port).toBe(4003);
  });

  it('loads a .json file', async () => {
    const config = await fromModule(write('config.json', '{ "http": { "port": 4004 } }'));
    expect(config.http.port).toBe(4004);
  });

  it('uses a named `config` export when there is no default export', async () => {
    const file = write('named.mjs', 'export const config = { http: { port: 4005 } };');
    expect((await fromModule(file)).http.port).toBe(4005);
  });

  it('calls an exported function and uses the object it returns', async () => {
    const file = write('function.mjs', 'export default () => ({ http: { port: 4006 } });');
    expect((await fromModule(file)).http.port).toBe(4006);
  });

  it('awaits an exported async function', async () => {
    const file = write('async.mjs', 'export default async () => ({ http: { port: 4007 } });');
    expect((await fromModule(file)).http.port).toBe(4007);
  });

  it('looks inside a CommonJS module compiled from ESM for its default export', async () => {
    const file = write(
      'compiled.cjs',
      'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = { http: { port: 4009 } };\n',
    );
    expect((await fromModule(file)).http.port).toBe(4009);
  });

  it('resolves an absolute path as it is', async () => {
    write('absolute.mjs', 'export default { http: { port: 4008 } };');
    const config = await loadConfig({
      cwd: tmpdir(),
      env: { WHARF_CONFIG: join(dir, 'absolute.mjs') },
    });
    expect(config.http.port).toBe(4008);
  });

  it('passes values the environment cannot express, such as objects in an app setting', async () => {
    const file = write('rich.mjs', 'export default { labels: { team: "geo" } };');
    const config = await loadConfig({
      cwd: dir,
      schema: Type.Object({ labels: Type.Record(Type.String(), Type.String()) }),
      env: { WHARF_CONFIG: file },
    });
    expect(config.labels).toEqual({ team: 'geo' });
  });
});

describe('.env file', () => {
  it('reads <cwd>/.env when it exists', async () => {
    const cwd = join(dir, 'with-dotenv');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.env'), 'WHARF_HTTP_PORT=5001\n');
    expect((await loadConfig({ cwd, env: {} })).http.port).toBe(5001);
  });

  it('starts without a .env file when none was named', async () => {
    const cwd = join(dir, 'without-dotenv');
    mkdirSync(cwd);
    expect((await loadConfig({ cwd, env: {} })).http.port).toBe(8080);
  });

  it('reads the file named by WHARF_ENV_FILE instead of .env', async () => {
    const cwd = join(dir, 'named-dotenv');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.env'), 'WHARF_HTTP_PORT=5001\n');
    writeFileSync(join(cwd, 'local.env'), 'WHARF_HTTP_PORT=5002\n');
    const config = await loadConfig({ cwd, env: { WHARF_ENV_FILE: 'local.env' } });
    expect(config.http.port).toBe(5002);
  });

  it('parses comments, quotes, export-less assignments and blank lines', async () => {
    const file = write(
      'syntax.env',
      [
        '# a comment',
        '',
        'WHARF_HTTP_HOST="127.0.0.1"',
        "WHARF_ENV='staging'",
        'WHARF_CORS_ORIGINS=https://a.example, https://b.example # trailing comment',
        'LOG_LEVEL=debug',
      ].join('\n'),
    );
    const config = await loadConfig({ cwd: dir, env: { WHARF_ENV_FILE: file } });
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.env).toBe('staging');
    expect(config.cors.origins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.log.level).toBe('debug');
  });

  it('may name the config module itself', async () => {
    write('from-dotenv.mjs', 'export default { http: { port: 5003 } };');
    const file = write('module.env', 'WHARF_CONFIG=from-dotenv.mjs\n');
    const config = await loadConfig({ cwd: dir, env: { WHARF_ENV_FILE: file } });
    expect(config.http.port).toBe(5003);
  });
});
