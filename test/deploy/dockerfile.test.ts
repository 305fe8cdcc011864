import { describe, expect, it } from 'vitest';
import { resolveCoreConfig } from 'wharf';
import {
  checkWharfCommand,
  cliReadsEntryVariable,
  healthUrls,
  readRepoFile,
  repoFileExists,
} from './helpers.js';

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(): Instruction[] {
  const text = readRepoFile('Dockerfile').replace(/\\\n/g, ' ');
  let stage = -1;
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage++;
      return { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
    });
}

function runtime(): Instruction[] {
  const all = instructions();
  const last = Math.max(...all.map((i) => i.stage));
  return all.filter((i) => i.stage === last);
}

const only = (list: Instruction[], keyword: string) => list.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('builds in two stages: npm ci for the build, production dependencies only at run time', () => {
    const from = only(instructions(), 'FROM');
    expect(from.length).toBeGreaterThanOrEqual(2);
    expect(from[0]?.args).toMatch(/ AS build$/i);
    expect(
      only(instructions(), 'RUN')
        .filter((i) => i.stage === 0)
        .map((i) => i.args),
    ).toContain('npm ci');
    const runtimeFrom = from.at(-1)?.args ?? '';
    expect(runtimeFrom).toMatch(/^node:\$\{NODE_VERSION\}-slim/);
    const version = only(instructions(), 'ARG').find((i) => i.args.startsWith('NODE_VERSION='));
    expect(['20', '24']).toContain(version?.args.split('=')[1]);
    expect(only(runtime(), 'RUN').some((i) => i.args.startsWith('npm ci --omit=dev'))).toBe(true);
  });

  it('runs as the unprivileged node user', () => {
    const user = only(runtime(), 'USER').at(-1)?.args;
    expect(user).toBe('node');
  });

  it("exposes the configuration's default port", () => {
    const port = resolveCoreConfig({}).http.port;
    expect(only(runtime(), 'EXPOSE').map((i) => i.args)).toEqual([String(port)]);
  });

  it('checks health on the liveness route, at the default port, with node and fetch', () => {
    const check = only(runtime(), 'HEALTHCHECK')[0]?.args ?? '';
    const command = JSON.parse(check.slice(check.indexOf('CMD') + 3).trim()) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const script = command[2] ?? '';
    expect(script).toContain('fetch(');
    expect(script).toContain(`|| ${resolveCoreConfig({}).http.port})`);
    expect(script).toContain(`'${healthUrls().live}'`);
  });

  it('starts the service through the wharf CLI, on an entry module the CLI finds', async () => {
    const cmd = JSON.parse(only(runtime(), 'CMD').at(-1)?.args ?? '[]') as string[];
    expect(cmd.slice(0, 3)).toEqual(['node', 'bin/wharf.js', 'start']);
    const { exitCode, help } = await checkWharfCommand(cmd);
    expect(exitCode).toBe(0);
    expect(help).toMatch(/^Usage: wharf start/);

    const entry = only(runtime(), 'ENV').find((i) => i.args.startsWith('WHARF_ENTRY='));
    const path = entry?.args.split('=')[1] ?? '';
    expect(cliReadsEntryVariable(path)).toBe(true);
    // The entry module is copied into the image.
    const copied = only(runtime(), 'COPY').map((i) => i.args.split(' ')[1]);
    expect(copied.some((dir) => dir && path.startsWith(dir.replace(/^\.\//, '')))).toBe(true);
  });

  it('copies what bin/wharf.js runs from: the CLI sources and the package files', () => {
    const copied = only(runtime(), 'COPY').map((i) => i.args);
    expect(copied).toContain('bin ./bin');
    expect(copied).toContain('src ./src');
    expect(repoFileExists('src/cli/main.ts')).toBe(true);
    expect(copied.some((args) => args.startsWith('package.json package-lock.json'))).toBe(true);
  });

  it('keeps dependencies and secrets out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.git', '.env', 'dist']) expect(ignored).toContain(entry);
    for (const needed of ['src', 'bin', 'examples', 'deploy/apps', 'package.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
