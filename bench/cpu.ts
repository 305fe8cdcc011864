import { execFileSync } from 'node:child_process';

/** The CPU each side of the benchmark runs on, when `taskset` can pin them. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

/** True when `taskset` exists and the machine has a CPU for each side. */
export function canPin(cpuCount: number): boolean {
  if (cpuCount < 2) return false;
  try {
    execFileSync('which', ['taskset'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pin every thread of this process (the load generator) to the load CPU. */
export function pinSelf(): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], {
    stdio: 'ignore',
  });
}

/** The command line that runs `command` on the server CPU (or as it is without pinning). */
export function pinnedCommand(pin: boolean, command: string, args: string[]): [string, string[]] {
  return pin ? ['taskset', ['-c', String(SERVER_CPU), command, ...args]] : [command, args];
}
