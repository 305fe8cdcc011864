import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { messageOf, UpstreamError } from '../errors/index.js';

/** An upstream's answer as it came: status, headers and the body (parsed when JSON). */
export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the text of any other body, or undefined when there was none. */
  body: unknown;
}

/**
 * Read a whole body, at most `limit` bytes. A larger one is destroyed (which also gives
 * its connection up) and the call fails with 502. Read through events rather than an
 * async iterator, which costs a promise per chunk and a stream-finished watcher per body.
 */
export function readBody(
  upstream: string,
  status: number,
  body: Readable,
  limit: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      body.destroy();
      reject(
        new UpstreamError(upstream, {
          status,
          code: undefined,
          message: `Response body is larger than ${limit} bytes`,
          error: { limit },
        }),
      );
    });
    body.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    body.on('error', reject);
  });
}

/** JSON bodies are parsed; a 2xx that claims JSON but is not fails the call with 502. */
export function parseBody(
  upstream: string,
  status: number,
  contentType: string | string[] | undefined,
  raw: Buffer,
): unknown {
  if (raw.byteLength === 0) return undefined;
  const text = raw.toString('utf8');
  if (!String(contentType ?? '').includes('json')) return text;
  if (!isUtf8(raw)) {
    if (!isSuccess(status)) return text;
    throw new UpstreamError(upstream, {
      status,
      code: undefined,
      message: 'Response body is not valid UTF-8',
      error: undefined,
    });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!isSuccess(status)) return text;
    throw new UpstreamError(upstream, {
      status,
      code: undefined,
      message: 'Response body is not valid JSON',
      error: { detail: messageOf(err) },
    });
  }
}

/**
 * The data of an answer: `data` of a Wharf success envelope, any other 2xx body as it is.
 * Any other status throws UpstreamError with the envelope's code, message and detail, or
 * with the status text and the body when the upstream is a plain HTTP service.
 */
export function unwrapResponse(upstream: string, response: ClientResponse): unknown {
  const { status, body } = response;
  if (isSuccess(status)) return isSuccessEnvelope(body) ? body.data : body;
  if (isErrorEnvelope(body)) {
    throw new UpstreamError(upstream, {
      status,
      // The code travels on into this service's own answer: anything but a code-like
      // token (a message, a secret, a megabyte) is left out.
      code: ERROR_CODE.test(body.code) ? body.code : undefined,
      message: body.message,
      error: body.error,
    });
  }
  throw new UpstreamError(upstream, {
    status,
    code: undefined,
    message: STATUS_CODES[status] ?? `HTTP ${status}`,
    error: body,
  });
}

const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function isSuccessEnvelope(body: unknown): body is { code: 0; message: string; data: unknown } {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return b.code === 0 && typeof b.message === 'string' && 'data' in b;
}

function isErrorEnvelope(
  body: unknown,
): body is { code: string; message: string; error?: unknown } {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && typeof b.message === 'string';
}
