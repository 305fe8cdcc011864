import type { EventEmitter } from 'node:events';
import { type Logger, symbols } from 'pino';

/** What a pino destination built by `pino.destination()` (sonic-boom) offers. */
interface AsyncDestination extends Pick<EventEmitter, 'once' | 'off'> {
  write(chunk: string): unknown;
  flush(): void;
}

/**
 * Resolve once every line `logger` has logged so far is written, or after `timeoutMs`.
 *
 * pino writes stdout asynchronously and, at exit, writes what is still buffered
 * synchronously; a line whose asynchronous write is in flight at that moment lands after
 * the later lines. Waiting here before exiting keeps the last lines of a process in order.
 * The wait is bounded because a stdout nobody reads never drains.
 */
export function drainLog(logger: Logger, timeoutMs: number): Promise<void> {
  const stream: unknown = (logger as unknown as Record<symbol, unknown>)[symbols.streamSym];
  if (!isAsyncDestination(stream)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stream.off('drain', done);
      stream.off('ready', start);
      resolve();
    };
    // The destination emits 'drain' once it has written everything it holds. An empty
    // write starts a write when none is in flight, so 'drain' comes even when idle, and
    // flush() does the same for batched lines. A file still opening starts nothing until
    // it is open, hence the second start on 'ready'.
    const start = () => {
      try {
        stream.write('');
        stream.flush();
      } catch {
        // A destroyed destination has nothing left to write.
        done();
      }
    };
    const timer = setTimeout(done, timeoutMs);
    stream.once('drain', done);
    stream.once('ready', start);
    start();
  });
}

function isAsyncDestination(stream: unknown): stream is AsyncDestination {
  const candidate = stream as Partial<AsyncDestination> | null;
  return (
    typeof candidate?.write === 'function' &&
    typeof candidate.flush === 'function' &&
    typeof candidate.once === 'function' &&
    typeof candidate.off === 'function'
  );
}
