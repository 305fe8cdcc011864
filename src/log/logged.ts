import type { BaseLogger, Level } from 'pino';
import { withSpan } from '../tracing/span.js';
import { roundMs } from './duration.js';

/** How `logged()` describes the work it wraps; every field is written on every line. */
export interface LoggedOptions {
  /**
   * Where the lines go: the service logger, or a request's `request.log` so the lines
   * carry its `req_id`. Only the level methods are used.
   */
  logger: Pick<BaseLogger, Level>;
  /** Kind of work, e.g. `db`, `http`, `job`. */
  type?: string;
  /** Area the work belongs to; `service.logged()` fills in the service name. */
  category?: string;
  /** The specific operation, e.g. a table or a remote endpoint. */
  detail?: string;
  /** A sentence for humans reading the log. */
  description?: string;
  /** Level of the start and end lines; `info` unless set. A failure is always `error`. */
  level?: Level;
  /**
   * Also run each call in a span named by `type`, `category` and the function's name
   * (those set, joined by `/`), child of the active span; a failure is recorded on it.
   * Without tracing set up the span is a no-op.
   */
  tracing?: boolean;
}

/**
 * Wrap an async function so each call writes a start line, then an end line with
 * `duration_ms`, or an `error` line with `err` and `duration_ms` before the error is
 * rethrown unchanged. Parameters, return type, `this` and the function name carry through.
 * Messages name the call by the function's name (also written as `fn`), else by `detail`.
 *
 * ```ts
 * const loadCity = logged(async (id: number) => db.city(id), { logger, type: 'db' });
 * ```
 */
export function logged<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: LoggedOptions,
): (...args: A) => Promise<R> {
  const { logger, level = 'info', type, category, detail, description, tracing } = options;
  // An inline arrow has no name; the detail then says what ran.
  const name = fn.name || detail || 'anonymous';
  const fields = definedOnly({ fn: fn.name || undefined, type, category, detail, description });

  const call = async function (this: unknown, ...args: A): Promise<R> {
    logger[level]({ ...fields, phase: 'start' }, `${name} started`);
    const started = performance.now();
    try {
      const result = await fn.apply(this, args);
      const duration_ms = roundMs(performance.now() - started);
      logger[level]({ ...fields, phase: 'end', duration_ms }, `${name} finished`);
      return result;
    } catch (err) {
      const duration_ms = roundMs(performance.now() - started);
      logger.error({ ...fields, phase: 'error', duration_ms, err }, `${name} failed`);
      throw err;
    }
  };
  const wrapper = tracing
    ? traced(call, [type, category, name], spanAttributes(fn, options))
    : call;
  // Stack traces and a second wrapper then still name the original function.
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper;
}

function traced<A extends unknown[], R>(
  call: (this: unknown, ...args: A) => Promise<R>,
  nameParts: readonly (string | undefined)[],
  attributes: Record<string, string>,
): (this: unknown, ...args: A) => Promise<R> {
  const spanName = nameParts.filter((part) => part).join('/');
  return function (this: unknown, ...args: A): Promise<R> {
    return withSpan(spanName, () => call.apply(this, args), attributes);
  };
}

function spanAttributes(fn: { name: string }, options: LoggedOptions): Record<string, string> {
  return definedOnly({
    'code.function.name': fn.name || undefined,
    'wharf.type': options.type,
    'wharf.category': options.category,
    'wharf.detail': options.detail,
  });
}

function definedOnly(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
