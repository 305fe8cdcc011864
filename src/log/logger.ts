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

/** How long a batched line may wait in the buffer before it is written. */
const FLUSH_INTERVAL_MS = 100;
/** Past this much unwritten (a stalled stdout), new lines are dropped rather than kept. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface LogDestinationOptions {
  /**
   * Write lines once this many bytes are buffered, or 100 ms after they were logged,
   * instead of one system call per line. For files: a process that exits hard (a signal
   * it does not handle) loses what is buffered. 0 (the default) writes each line.
   */
  batchBytes?: number;
}

/**
 * Where a service's lines go: file descriptor 1 (stdout) by default, or a file path.
 * Asynchronous, flushed when the process exits (pino registers that), and bounded: a
 * destination nobody reads drops lines instead of growing the heap.
 */
export function logDestination(
  dest: number | string = 1,
  options: LogDestinationOptions = {},
): DestinationStream {
  const batchBytes = options.batchBytes ?? 0;
  return pino.destination({
    dest,
    sync: false,
    maxLength: MAX_BUFFERED_BYTES,
    ...(batchBytes > 0 ? { minLength: batchBytes, periodicFlush: FLUSH_INTERVAL_MS } : {}),
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
