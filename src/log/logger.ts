import { type DestinationStream, type Logger, pino } from 'pino';
import type { CoreConfig } from '../config/schema.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Service name, written as `service` on every line. */
  name: string;
  level: CoreConfig['log']['level'];
  /** Where lines go; `logDestination()` (stdout) when omitted. Tests pass a memory stream. */
  destination?: DestinationStream;
}

/** A pino JSON logger: one line per record, ISO timestamps, `level` as a label. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.name },
      timestamp: isoTime(),
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? logDestination(),
  );
}

/** How long a line may wait in the buffer before it is written. */
const FLUSH_INTERVAL_MS = 100;
/** Lines are written once this much is buffered (or the interval passed). */
const WRITE_BATCH_BYTES = 4096;
/** Past this much unwritten (a stalled stdout), new lines are dropped rather than kept. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Where a service's lines go by default: file descriptor 1 (stdout), or a file path.
 *
 * Lines are written in batches of 4 KiB, and at the latest 100 ms after they were logged:
 * a write per line costs a system call per request. The buffer is bounded, so a stdout
 * nobody reads drops lines instead of growing the heap, and it is flushed when the process
 * exits (pino registers that for asynchronous destinations).
 */
export function logDestination(dest: number | string = 1): DestinationStream {
  return pino.destination({
    dest,
    sync: false,
    minLength: WRITE_BATCH_BYTES,
    periodicFlush: FLUSH_INTERVAL_MS,
    maxLength: MAX_BUFFERED_BYTES,
  });
}

/**
 * pino's ISO timestamp, with the part up to the seconds formatted once per second rather
 * than once per line: `toISOString` costs more than the other fields of an access line.
 */
export function isoTime(): () => string {
  let second = Number.NaN;
  let prefix = '';
  return () => {
    const now = Date.now();
    const ms = now % 1000;
    if (now - ms !== second) {
      second = now - ms;
      // "2026-11-24T00:18:03." — the milliseconds and the Z are appended per line.
      prefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
    }
    return `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
  };
}
