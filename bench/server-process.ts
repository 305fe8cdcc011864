import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './cpu.js';
import { readCpuTimeMs, readPeakRss } from './proc-stats.js';
import type { ServerSpec } from './scenarios.js';

const READY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 10_000;

/** A server under test, running in its own process. */
export interface ServerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  /** performance.now() just before the process was spawned. */
  spawnedAt: number;
  /** Peak resident set size so far, in bytes (VmHWM). */
  peakRss(): number;
  /** CPU time used so far, all threads, in milliseconds. */
  cpuTimeMs(): number;
  /** SIGTERM, then SIGKILL if it does not exit in time. */
  stop(): Promise<void>;
}

/**
 * Start `bench/servers/<file>.ts` and wait for its `READY <port>` line. Both servers are
 * run the same way (tsx, source condition) so start-up cost and loader memory match.
 */
export async function startServer(spec: ServerSpec, pin: boolean): Promise<ServerProcess> {
  const { name } = spec;
  const file = fileURLToPath(new URL(`./servers/${spec.file}.ts`, import.meta.url));
  const [command, args] = pinnedCommand(pin, process.execPath, [
    '--conditions=source',
    '--import',
    'tsx',
    file,
  ]);
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env, NODE_ENV: 'production' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const port = await waitForReady(child, () => stderr).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${name} server did not start: ${err.message}\n${stderr}`);
  });
  const pid = child.pid as number;
  // The kernel's VmHWM can read a little lower later than it did earlier; keep the highest.
  let peak = 0;
  return {
    name,
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    spawnedAt,
    peakRss: () => {
      peak = Math.max(peak, readPeakRss(pid));
      return peak;
    },
    cpuTimeMs: () => readCpuTimeMs(pid),
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no READY line in time')), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited early (code ${code}, signal ${signal})\n${stderr()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
