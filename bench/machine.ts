import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadGenerator } from './options.js';
import { wrkVersion } from './wrk.js';

/** Where and with what a benchmark ran: printed and stored next to its figures. */
export interface Machine {
  date: string;
  node: string;
  os: string;
  cpuModel: string;
  cpuCount: number;
  /** 1-minute load average when the benchmark started: other work skews the figures. */
  loadAverage: number;
  versions: Record<string, string>;
}

const PACKAGES = ['fastify', 'pino', 'autocannon'] as const;

/** autocannon's version is kept with wrk's: the sustained runs still use it. */
export function describeMachine(loadGenerator: LoadGenerator): Machine {
  const versions: Record<string, string> = { wharf: packageVersion('.') };
  for (const name of PACKAGES) versions[name] = packageVersion(`node_modules/${name}`);
  if (loadGenerator === 'wrk') versions.wrk = wrkVersion() ?? 'unknown';
  return {
    date: new Date().toISOString(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpuModel(),
    cpuCount: os.availableParallelism(),
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    versions,
  };
}

/** The model name in /proc/cpuinfo, which names the part better than os.cpus() on some VMs. */
function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1];
    if (model) return model.trim();
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown';
}

function packageVersion(dir: string): string {
  const file = new URL(`../${dir}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
