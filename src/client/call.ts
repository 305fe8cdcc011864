import type { Dispatcher } from 'undici';
import { CoreConfigSchema } from '../config/schema.js';
import { UpstreamTimeoutError, UpstreamUnavailableError } from '../errors/index.js';
import type { HttpMethod } from '../service/index.js';
import type { BreakerPermit, CircuitBreaker } from './breaker.js';
import { Deadline } from './deadline.js';
import { type AttemptFailure, classifyFailure } from './failure.js';
import { type ClientResponse, parseBody, readBody } from './response.js';
import {
  backoffDelay,
  IDEMPOTENT_METHODS,
  RETRY_STATUSES,
  retryAfterMs,
  type Sleep,
} from './retry.js';
import type { ClientSettings } from './settings.js';
import { type Query, requestPath, type UpstreamBase } from './target.js';
import { endCallSpan, injectTraceHeaders, startCallSpan } from './tracing.js';

/** Per-call options of every client method. */
export interface CallOptions {
  /** Query string values; arrays repeat the key, null and undefined are left out. */
  query?: Query;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Sent as JSON; a Uint8Array is sent as it is (set its content-type in `headers`). */
  body?: unknown;
  /** Abort the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Total time for this call, retries included; `deadlineMs` of the settings unless given. */
  deadlineMs?: number;
  /** Retries for this call; `retries` of the settings unless given. */
  retries?: number;
  /**
   * Whether repeating the call is safe. GET, HEAD, PUT, DELETE and OPTIONS are; POST and
   * PATCH are retried only when the call says so (e.g. it carries an idempotency key).
   */
  idempotent?: boolean;
}

/** Everything one upstream's calls share. */
export interface CallContext {
  upstream: string;
  base: UpstreamBase;
  settings: ClientSettings;
  dispatcher: Dispatcher;
  breaker: CircuitBreaker;
  sleep: Sleep;
  random: () => number;
}

type AttemptResult =
  | { kind: 'response'; response: ClientResponse }
  | { kind: 'aborted'; error: unknown }
  | AttemptFailure;

/**
 * Send one call: trace headers, the breaker's permission, attempts and retries with
 * backoff, all within the call's deadline. Resolves to the final answer whatever its
 * status; rejects with UpstreamUnavailableError (circuit open, no connection),
 * UpstreamTimeoutError (headers, body, deadline), the caller's abort reason, or an
 * unexpected error as it is.
 */
export async function sendCall(
  ctx: CallContext,
  method: HttpMethod,
  path: string,
  options: CallOptions = {},
  template?: string,
): Promise<ClientResponse> {
  checkCallOptions(options);
  const target = requestPath(ctx.base, path, options.query);
  const headers = requestHeaders(options);
  const body = encodeBody(options.body, headers);
  const span = startCallSpan(ctx.upstream, ctx.base, method, target, template);
  injectTraceHeaders(span, headers);
  const req: Attempt = { method, path: target, headers, body };
  const deadline = new Deadline(options.deadlineMs ?? ctx.settings.deadlineMs, options.signal);
  const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(method);
  const maxRetries = idempotent ? (options.retries ?? ctx.settings.retries) : 0;
  let retries = 0;
  try {
    const first = await attemptWithPermit(ctx, req, deadline);
    if (first.kind === 'refused') throw new UpstreamUnavailableError(ctx.upstream, 'circuit-open');
    let result = first;
    for (;;) {
      if (result.kind === 'aborted') throw abortError(ctx.upstream, deadline, result.error);
      if (result.kind === 'other' || result.kind === 'unusable') throw result.error;
      const wait = retries < maxRetries ? retryDelay(ctx, result, retries + 1) : undefined;
      // A wait that outlasts the deadline would only turn this answer into a 504.
      if (wait === undefined || wait >= deadline.remainingMs()) break;
      try {
        await ctx.sleep(wait, deadline.signal());
      } catch (err) {
        throw abortError(ctx.upstream, deadline, err);
      }
      const next = await attemptWithPermit(ctx, req, deadline);
      // A circuit opened by this call's own failures ends its retries with its last outcome.
      if (next.kind === 'refused') break;
      result = next;
      retries += 1;
    }
    if (result.kind !== 'response') throw failureError(ctx.upstream, result);
    endCallSpan(span, { status: result.response.status, retries });
    return result.response;
  } catch (err) {
    endCallSpan(span, { error: err, retries });
    throw err;
  } finally {
    deadline.clear();
  }
}

const CLIENT_SETTINGS = CoreConfigSchema.properties.client.properties;

/** TypeBox keeps the options a schema was made with on it; its types leave them out. */
function bounds(schema: object): { minimum: number; maximum: number } {
  return schema as { minimum: number; maximum: number };
}

/** A call may not escape the bounds of the client settings it overrides. */
function checkCallOptions(options: CallOptions): void {
  for (const name of ['deadlineMs', 'retries'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    const { minimum, maximum } = bounds(CLIENT_SETTINGS[name]);
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      throw new RangeError(
        `${name} must be an integer from ${minimum} to ${maximum}, got ${value}`,
      );
    }
  }
}

interface Attempt {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** One attempt if the breaker allows it, its outcome reported to the breaker. */
async function attemptWithPermit(
  ctx: CallContext,
  req: Attempt,
  deadline: Deadline,
): Promise<AttemptResult | { kind: 'refused' }> {
  const permit = ctx.breaker.acquire();
  if (!permit) return { kind: 'refused' };
  const result = await attempt(ctx, req, deadline);
  settle(permit, result, deadline);
  return result;
}

async function attempt(ctx: CallContext, req: Attempt, deadline: Deadline): Promise<AttemptResult> {
  try {
    const res = await ctx.dispatcher.request({
      origin: ctx.base.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: deadline,
      // Also per request, so they hold with an injected dispatcher too.
      headersTimeout: ctx.settings.headersTimeoutMs,
      bodyTimeout: ctx.settings.bodyTimeoutMs,
    });
    const raw = await readBody(
      ctx.upstream,
      res.statusCode,
      res.body,
      ctx.settings.maxResponseBytes,
    );
    const contentType = res.headers['content-type'];
    return {
      kind: 'response',
      response: {
        status: res.statusCode,
        headers: res.headers,
        body: parseBody(ctx.upstream, res.statusCode, contentType, raw),
      },
    };
  } catch (error) {
    if (deadline.aborted) return { kind: 'aborted', error };
    return classifyFailure(error);
  }
}

/**
 * 5xx answers, unusable answers, connection errors and timeouts count against the
 * upstream; 4xx never do.
 */
function settle(permit: BreakerPermit, result: AttemptResult, deadline: Deadline): void {
  if (result.kind === 'response') {
    if (result.response.status >= 500) permit.fail();
    else permit.succeed();
  } else if (
    result.kind === 'connection' ||
    result.kind === 'timeout' ||
    result.kind === 'unusable'
  ) {
    permit.fail();
  } else if (result.kind === 'aborted' && deadline.expired()) {
    // Running out of the deadline is the upstream being slow; the caller giving up is not.
    permit.fail();
  } else {
    permit.release();
  }
}

/**
 * How long to wait before the next attempt, or undefined for no retry. A `Retry-After`
 * is honoured as it is, but one longer than `retryMaxDelayMs` ends the retries.
 */
function retryDelay(ctx: CallContext, result: AttemptResult, retry: number): number | undefined {
  const { retryDelayMs, retryMaxDelayMs } = ctx.settings;
  if (result.kind === 'connection')
    return backoffDelay(retry, retryDelayMs, retryMaxDelayMs, ctx.random);
  if (result.kind !== 'response' || !RETRY_STATUSES.has(result.response.status)) return undefined;
  const asked = retryAfterMs(result.response.headers['retry-after']);
  if (asked === undefined) return backoffDelay(retry, retryDelayMs, retryMaxDelayMs, ctx.random);
  return asked <= retryMaxDelayMs ? asked : undefined;
}

function failureError(upstream: string, failure: AttemptFailure): Error {
  switch (failure.kind) {
    case 'connection':
      return new UpstreamUnavailableError(upstream, 'connection', failure.error);
    case 'timeout':
      return new UpstreamTimeoutError(upstream, failure.phase, failure.error);
    default:
      return failure.error as Error;
  }
}

function abortError(upstream: string, deadline: Deadline, error: unknown): unknown {
  if (deadline.expired()) return new UpstreamTimeoutError(upstream, 'deadline', error);
  return deadline.callerReason() ?? error;
}

function requestHeaders(options: CallOptions): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const given = options.headers;
  if (given) for (const key in given) headers[key.toLowerCase()] = given[key] as string;
  return headers;
}

function encodeBody(
  body: unknown,
  headers: Record<string, string>,
): string | Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array) {
    headers['content-type'] ??= 'application/octet-stream';
    return body;
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}
