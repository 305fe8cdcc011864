import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';

export const BIN = fileURLToPath(new URL('../../bin/wharf.js', import.meta.url));

/** A fixture app module's absolute path. */
export const appFixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/app/${name}`, import.meta.url));

/**
 * The environment without any database, Wharf or test-runner setting of the machine
 * running the tests, plus `extra`.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('WHARF_') || key.startsWith('VITEST') || key === 'DATABASE_URL') continue;
    if (key === 'NODE_OPTIONS' || key === 'PORT' || key === 'LOG_LEVEL') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Run the CLI in-process, capturing what it prints. */
export async function runInProcess(argv: string[], cwd: string, env = cleanEnv()) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    cwd,
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  };
  const code = await runCli(argv, ctx);
  return { code, out, err };
}

export type LogLine = Record<string, unknown> & { msg?: string };

/** A `wharf` process whose JSON log lines are collected as they come. */
export interface WharfProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Output that was not a JSON line. */
  readonly text: string[];
  /** Resolves with the first line matching, waiting at most `timeoutMs`. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Resolves with the exit code (null when killed by a signal), waiting at most `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
}

export function startWharf(args: string[], cwd: string, env: Record<string, string>): WharfProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const text: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (chunk: string) => {
    for (const raw of chunk.split('\n')) {
      if (!raw.trim()) continue;
      try {
        lines.push(JSON.parse(raw) as LogLine);
      } catch {
        text.push(raw);
      }
    }
    for (const listener of listeners) listener();
  };
  let pending = { out: '', err: '' };
  const onData = (key: 'out' | 'err') => (chunk: Buffer) => {
    const data = pending[key] + chunk.toString();
    const end = data.lastIndexOf('\n');
    pending = { ...pending, [key]: data.slice(end + 1) };
    if (end >= 0) collect(data.slice(0, end));
  };
  child.stdout?.on('data', onData('out'));
  child.stderr?.on('data', onData('err'));
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
  });

  return {
    child,
    lines,
    text,
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find(match);
          if (!line) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`No matching line within ${timeoutMs} ms; got:\n${describe()}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Still running after ${timeoutMs} ms; got:\n${describe()}`)),
          timeoutMs,
        );
      });
      return Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    },
  };

  function describe(): string {
    return [...lines.map((line) => JSON.stringify(line)), ...text].join('\n');
  }
}

/** Whether a process with this pid still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
