import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CoreConfig, createService, loadConfig } from 'wharf';
import { parse, parseAllDocuments } from 'yaml';
import type { CliContext } from '../../src/cli/command.js';
import { entryPath } from '../../src/cli/entry.js';
import { runCli } from '../../src/cli/run.js';
import { type BranchSchema, configLeaves } from '../../src/config/leaves.js';
import { CoreConfigSchema } from '../../src/config/schema.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(new URL(path, `file://${ROOT}`), 'utf8');
}

export function repoFileExists(path: string): boolean {
  return existsSync(new URL(path, `file://${ROOT}`));
}

/** Every document of a YAML file; compose files use `<<` merge keys. */
export function readYaml(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readRepoFile(path), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() as Record<string, unknown>;
  });
}

export function readYamlOne<T>(path: string): T {
  return parse(readRepoFile(path), { merge: true }) as T;
}

/** The health routes' URLs, as the service registers them. */
export function healthUrls(): { live: string; ready: string } {
  const service = createService({
    name: 'probe',
    config: { log: { level: 'silent' } },
    routes: [],
  });
  const urlOf = (name: string) => {
    const found = service.routes.find((r) => r.route.name === name);
    if (!found) throw new Error(`no route ${name}`);
    return found.url;
  };
  return { live: urlOf('healthLive'), ready: urlOf('healthReady') };
}

/** Every environment variable a Wharf setting reads: WHARF_<PATH> names and aliases. */
export const CONFIG_ENV_NAMES: ReadonlySet<string> = new Set(
  configLeaves(CoreConfigSchema as unknown as BranchSchema).flatMap((leaf) => leaf.envNames),
);

/** The configuration a container with exactly these variables would load. */
export function configFromEnv(env: Record<string, string>): Promise<CoreConfig> {
  return loadConfig({ env, cwd: ROOT });
}

/** The variables the `wharf` CLI reads itself, checked against the CLI: WHARF_ENTRY. */
export function cliReadsEntryVariable(value: string): boolean {
  const path = entryPath({ ...silentContext(), env: { WHARF_ENTRY: value } }, undefined);
  return path === fileURLToPath(new URL(value, `file://${ROOT}`));
}

function silentContext(): CliContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    cwd: ROOT,
    env: {},
    out: (line) => void lines.push(line),
    err: (line) => void lines.push(line),
    lines,
  };
}

/**
 * Check a container command against the CLI's command table: `node bin/wharf.js <args>`
 * must name a real command whose help accepts every flag given. Runs `<args> --help`, which
 * parses the command line without running anything.
 */
export async function checkWharfCommand(
  command: readonly string[],
): Promise<{ exitCode: number; help: string }> {
  if (command[0] !== 'node' || command[1] !== 'bin/wharf.js') {
    throw new Error(`not a wharf command: ${command.join(' ')}`);
  }
  const ctx = silentContext();
  const exitCode = await runCli([...command.slice(2), '--help'], ctx);
  return { exitCode, help: ctx.lines.join('\n') };
}

/** `--dir x` → ['--dir']: the flags of a command line. */
export function flagsOf(args: readonly string[]): string[] {
  return args.filter((arg) => arg.startsWith('--'));
}
