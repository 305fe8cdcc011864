import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The request wrk sends on every connection; its URL carries the path. */
export interface WrkRequest {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What one wrk run reports, read from the line its Lua `done` hook prints. */
export interface WrkResult {
  requests: number;
  durationUs: number;
  reqPerSec: number;
  p50Us: number;
  p99Us: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  /** Answers with a status of 400 or more (wrk's own definition of a status error). */
  statusErrors: number;
  timeouts: number;
}

const MARKER = 'WRK_JSON ';
/** How long past its duration wrk may take (connecting, the last answers) before it is killed. */
const GRACE_MS = 30_000;

/**
 * `wrk --version` prints its version and usage, then exits with 1, so the output decides,
 * not the exit code.
 */
function versionOutput(): string {
  try {
    return execFileSync('wrk', ['--version'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}`;
  }
}

let cachedVersion: string | null | undefined;

/** wrk's version as it reports it (e.g. `debian/4.1.0-3+b2`), or undefined when not installed. */
export function wrkVersion(): string | undefined {
  if (cachedVersion === undefined) {
    cachedVersion = /^wrk\s+(\S+)/m.exec(versionOutput())?.[1] ?? null;
  }
  return cachedVersion ?? undefined;
}

export function wrkAvailable(): boolean {
  return wrkVersion() !== undefined;
}

/**
 * A Lua string literal holding `text` byte for byte. Every byte outside printable ASCII,
 * and the quote and backslash, becomes a three-digit decimal escape: Lua 5.1 (wrk's LuaJIT)
 * has no hex escapes, and three digits cannot swallow a digit that follows.
 */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const plain = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += plain ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * The script wrk runs: the request, and a `done` hook printing the summary as one JSON
 * line, which is sturdier to read than wrk's text meant for people. `%.0f` rather than
 * `%d`: wrk's counters are Lua numbers, and LuaJIT's `%d` of a large double is not portable.
 */
export function wrkScript(request: WrkRequest): string {
  const lines = [`wrk.method = ${luaString(request.method)}`];
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  lines.push(
    'function done(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARKER}{"requests":%.0f,"duration_us":%.0f,' ..`,
    `    '"connect_errors":%.0f,"read_errors":%.0f,"write_errors":%.0f,' ..`,
    `    '"status_errors":%.0f,"timeouts":%.0f,"p50_us":%.0f,"p99_us":%.0f}\\n',`,
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,',
    '    e.timeout, latency:percentile(50), latency:percentile(99)))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

interface WrkLine {
  requests: number;
  duration_us: number;
  connect_errors: number;
  read_errors: number;
  write_errors: number;
  status_errors: number;
  timeouts: number;
  p50_us: number;
  p99_us: number;
}

/** The figures of wrk's output; an error naming what wrk printed when the line is missing. */
export function parseWrkJson(stdout: string, stderr = ''): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) {
    throw new Error(
      `wrk printed no ${MARKER.trim()} line\n  stdout: ${tail(stdout)}\n  stderr: ${tail(stderr)}`,
    );
  }
  const raw = JSON.parse(line.slice(MARKER.length)) as WrkLine;
  return {
    requests: raw.requests,
    durationUs: raw.duration_us,
    reqPerSec: raw.duration_us > 0 ? raw.requests / (raw.duration_us / 1e6) : 0,
    p50Us: raw.p50_us,
    p99Us: raw.p99_us,
    connectErrors: raw.connect_errors,
    readErrors: raw.read_errors,
    writeErrors: raw.write_errors,
    statusErrors: raw.status_errors,
    timeouts: raw.timeouts,
  };
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(-1000) : '(empty)';
}

/** What makes a run unusable, or undefined when it is clean. */
export function wrkProblems(result: WrkResult): string | undefined {
  const { connectErrors, readErrors, writeErrors, statusErrors, timeouts } = result;
  const errors = connectErrors + readErrors + writeErrors;
  if (errors + statusErrors + timeouts === 0) return undefined;
  return (
    `${errors} errors (connect ${connectErrors}, read ${readErrors}, write ${writeErrors}), ` +
    `${timeouts} timeouts, ${statusErrors} answers with status >= 400`
  );
}

/**
 * Load `url` with one wrk thread for `durationSeconds`. One thread, because the benchmark
 * gives the load generator one CPU (this process's, which wrk inherits).
 */
export async function runWrk(
  url: string,
  request: WrkRequest,
  connections: number,
  durationSeconds: number,
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, wrkScript(request));
  try {
    const args = ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', '-s', script];
    const { stdout, stderr } = await execWrk([...args, url], durationSeconds * 1000 + GRACE_MS);
    return parseWrkJson(stdout, stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** wrk's output; a failed or overdue run rejects with what it printed. */
function execWrk(args: string[], timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const why = err.killed ? `killed after ${timeout} ms` : err.message;
      reject(new Error(`wrk failed: ${why}\n  stdout: ${tail(stdout)}\n  stderr: ${tail(stderr)}`));
    });
  });
}
