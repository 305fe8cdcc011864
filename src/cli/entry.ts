import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../app/define.js';
import { isApp } from '../app/define.js';
import { readEnvFile } from '../config/sources.js';
import { type CliContext, CommandError } from './command.js';

/** Where a service's code starts unless `--entry` or `WHARF_ENTRY` says otherwise. */
export const DEFAULT_ENTRY = 'src/main.ts';

/** The `--entry` help line, shared by the commands that load the app. */
export const ENTRY_HELP: [string, string] = [
  '--entry <path>',
  `Module exporting defineApp(…) (default: WHARF_ENTRY, else ${DEFAULT_ENTRY})`,
];

/** The entry module's absolute path: the flag, else `WHARF_ENTRY` (environment or `.env`), else the default. */
export function entryPath(ctx: CliContext, flag: string | undefined): string {
  const fromEnv = ctx.env.WHARF_ENTRY || readEnvFile(ctx.env, ctx.cwd)?.vars.WHARF_ENTRY;
  const path = resolve(ctx.cwd, flag || fromEnv || DEFAULT_ENTRY);
  if (!existsSync(path)) {
    throw new CommandError(
      `No entry module at ${relative(ctx.cwd, path) || path}: pass --entry <path> or set WHARF_ENTRY`,
    );
  }
  return path;
}

/**
 * Import the entry module and take its app: the default export, else the `app` export,
 * either what `defineApp` returns or a (possibly async) function returning it.
 */
export async function loadApp(path: string, ctx: CliContext): Promise<App> {
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const exported = module.default ?? module.app;
  const app = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  if (!isApp(app)) {
    const shown = relative(ctx.cwd, path) || path;
    throw new CommandError(
      `${shown} must export defineApp({ service, … }) as its default export or as "app"`,
    );
  }
  return app;
}
