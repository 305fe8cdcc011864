import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, Type } from 'wharf';

const AppSchema = Type.Object({
  count: Type.Integer({ default: 0 }),
  ratio: Type.Number({ default: 0 }),
  enabled: Type.Boolean({ default: false }),
  tags: Type.Array(Type.String(), { default: [] }),
  ports: Type.Array(Type.Integer(), { default: [] }),
  mode: Type.Union([Type.Literal('fast'), Type.Literal('safe')], { default: 'safe' }),
  tier: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1 }),
  limit: Type.Union([Type.Integer(), Type.Literal('none')], { default: 'none' }),
  labels: Type.Record(Type.String(), Type.String(), { default: {} }),
  apiURL: Type.String({ default: '' }),
  s3Bucket: Type.String({ default: '' }),
});

// An empty working directory, so no stray .env takes part.
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'wharf-env-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: Record<string, string>) => loadConfig({ schema: AppSchema, env, cwd });

/** The first line of the ConfigError the given environment produces. */
async function failure(env: Record<string, string>): Promise<string> {
  const error = await load(env).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('environment variable names', () => {
  it('joins path segments converted to UPPER_SNAKE under WHARF_', async () => {
    const config = await load({
      WHARF_HTTP_REQUEST_TIMEOUT_MS: '5',
      WHARF_LOG_ACCESS_LOG: 'false',
      WHARF_API_URL: 'http://api',
      WHARF_S3_BUCKET: 'bucket',
    });
    expect(config.http.requestTimeoutMs).toBe(5);
    expect(config.log.accessLog).toBe(false);
    expect(config.apiURL).toBe('http://api');
    expect(config.s3Bucket).toBe('bucket');
  });

  it('ignores WHARF_ variables that name no setting', async () => {
    const config = await load({ WHARF_UNRELATED_THING: 'x' });
    expect(config).not.toHaveProperty('unrelatedThing');
  });
});

describe('conversion of environment strings', () => {
  it.each([
    ['42', 42],
    [' 7 ', 7],
    ['-3', -3],
    ['1e3', 1000],
  ])('reads integer %j as %j', async (raw, expected) => {
    expect((await load({ WHARF_COUNT: raw })).count).toBe(expected);
  });

  it.each([
    ['1.5', 1.5],
    ['.25', 0.25],
    ['-0.5', -0.5],
  ])('reads number %j as %j', async (raw, expected) => {
    expect((await load({ WHARF_RATIO: raw })).ratio).toBe(expected);
  });

  it.each([
    'abc',
    '',
    '12px',
    '0x10',
    'Infinity',
    '1,5',
  ])('rejects non-numeric %j for a number', async (raw) => {
    expect(await failure({ WHARF_RATIO: raw })).toBe(
      `Invalid configuration: ratio = ${JSON.stringify(raw)} (from env WHARF_RATIO): expected number`,
    );
  });

  it('rejects a fraction for an integer, showing the text as written', async () => {
    expect(await failure({ WHARF_COUNT: '1.50' })).toBe(
      'Invalid configuration: count = "1.50" (from env WHARF_COUNT): expected integer',
    );
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [' NO ', false],
  ])('reads boolean %j as %j', async (raw, expected) => {
    expect((await load({ WHARF_ENABLED: raw })).enabled).toBe(expected);
  });

  it('rejects other words for a boolean and lists the accepted ones', async () => {
    expect(await failure({ WHARF_ENABLED: 'on' })).toBe(
      'Invalid configuration: enabled = "on" (from env WHARF_ENABLED): expected boolean (true, false, 1, 0, yes or no)',
    );
  });

  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ', ['a', 'b']],
    ['a,,b,', ['a', 'b']],
    ['single', ['single']],
    ['', []],
    ['  ', []],
  ])('reads string list %j as %j', async (raw, expected) => {
    expect((await load({ WHARF_TAGS: raw })).tags).toEqual(expected);
  });

  it('converts each entry of a list by its item type', async () => {
    expect((await load({ WHARF_PORTS: '80, 443' })).ports).toEqual([80, 443]);
  });

  it('rejects a list with an entry of the wrong type, showing the whole text', async () => {
    expect(await failure({ WHARF_PORTS: '80,http' })).toBe(
      'Invalid configuration: ports = "80,http" (from env WHARF_PORTS): expected array of integer',
    );
  });

  it('takes a word of a union of string literals as it is', async () => {
    expect((await load({ WHARF_MODE: 'fast' })).mode).toBe('fast');
  });

  it('rejects a word outside a union of literals, listing the choices', async () => {
    expect(await failure({ WHARF_MODE: 'FAST' })).toBe(
      'Invalid configuration: mode = "FAST" (from env WHARF_MODE): expected one of "fast", "safe"',
    );
  });

  it('converts a union of number literals', async () => {
    expect((await load({ WHARF_TIER: '2' })).tier).toBe(2);
    expect(await failure({ WHARF_TIER: '3' })).toBe(
      'Invalid configuration: tier = "3" (from env WHARF_TIER): expected one of 1, 2',
    );
  });

  it('picks the first member of a mixed union that accepts the text', async () => {
    expect((await load({ WHARF_LIMIT: '25' })).limit).toBe(25);
    expect((await load({ WHARF_LIMIT: 'none' })).limit).toBe('none');
  });

  it('reads JSON for an object setting', async () => {
    expect((await load({ WHARF_LABELS: '{"team":"geo"}' })).labels).toEqual({ team: 'geo' });
  });

  it('keeps a string exactly as written, spaces included', async () => {
    expect((await load({ WHARF_API_URL: ' http://x ' })).apiURL).toBe(' http://x ');
  });
});
