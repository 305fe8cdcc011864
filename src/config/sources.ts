import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'dotenv';
import { ConfigError, messageOf } from '../errors/index.js';
import { isPlainObject, isRecord } from './leaves.js';

export type EnvVars = Readonly<Record<string, string | undefined>>;

/** The variables of a `.env` file and the absolute path they were read from. */
export interface EnvFile {
  readonly file: string;
  readonly vars: Readonly<Record<string, string>>;
}

/**
 * Read `WHARF_ENV_FILE` (resolved against `cwd`) or `<cwd>/.env`. A missing default
 * file means "no .env"; a missing file the environment named is a mistake.
 */
export function readEnvFile(env: EnvVars, cwd: string): EnvFile | undefined {
  const named = env.WHARF_ENV_FILE;
  const file = resolve(cwd, named || '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const notFound = errorCode(error) === 'ENOENT';
    if (notFound && !named) return undefined;
    if (notFound) throw new ConfigError(`.env file not found: ${file} (from WHARF_ENV_FILE)`);
    throw withCause(
      new ConfigError(`Cannot read .env file ${file} (from WHARF_ENV_FILE): ${firstLine(error)}`),
      error,
    );
  }
  return { file, vars: parse(text) };
}

/**
 * Load the config module named by `WHARF_CONFIG`: its default export or its `config`
 * export, either a plain object or a (possibly async) function returning one.
 */
export async function loadConfigModule(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) {
    throw new ConfigError(`Config module not found: ${file} (from WHARF_CONFIG)`);
  }
  const exported = await failingAsConfigError(file, () => readExport(file));
  if (exported === undefined) {
    throw new ConfigError(`Config module ${file} has no default export and no "config" export`);
  }
  const value =
    typeof exported === 'function'
      ? await failingAsConfigError(file, async () => exported())
      : exported;
  if (!isPlainObject(value)) {
    throw new ConfigError(
      `Config module ${file} must export a plain object (as default or as "config"), got ${kindOf(value)}`,
    );
  }
  return value;
}

async function failingAsConfigError<T>(file: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw withCause(
      new ConfigError(`Config module ${file} failed to load: ${firstLine(error)}`),
      error,
    );
  }
}

async function readExport(file: string): Promise<unknown> {
  if (extname(file) === '.json') return JSON.parse(readFileSync(file, 'utf8'));
  return configExport(await importFile(file));
}

/**
 * The default or `config` export. A CommonJS module compiled from ESM arrives with its
 * exports object as the default (flagged `__esModule`), so look one level inside it.
 */
function configExport(module: Record<string, unknown>): unknown {
  const exported = module.default ?? module.config;
  if (isRecord(exported) && exported.__esModule === true) {
    return exported.default ?? exported.config;
  }
  return exported;
}

const TYPESCRIPT_FILE = /\.[cm]?ts$/;
const NEEDS_TRANSPILER = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
]);

/**
 * Import natively first (tsx loader, vitest, or Node's own type stripping handle `.ts`);
 * a plain Node that cannot read TypeScript gets it through tsx's scoped import instead.
 */
async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (error) {
    if (!TYPESCRIPT_FILE.test(file) || !NEEDS_TRANSPILER.has(errorCode(error) ?? '')) throw error;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name: unknown = value.constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Error messages from imports can span lines (code frames); the first one says what broke. */
function firstLine(error: unknown): string {
  const message = messageOf(error);
  return message.split('\n', 1)[0]?.trim() || 'unknown error';
}

function withCause(error: ConfigError, cause: unknown): ConfigError {
  error.cause = cause;
  return error;
}
