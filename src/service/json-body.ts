import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ForbiddenKeyError, MalformedJsonError } from '../errors/index.js';

const SCAN_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

// Cheap pre-check: only bodies that could spell a dangerous key (directly or through a
// \u escape) pay for the full scan.
const SUSPECT = /__proto__|constructor|\\u/;

/** Parse a JSON body; prototype-poisoning keys are refused, never merged. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new MalformedJsonError('body is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedJsonError((err as Error).message);
  }
  if (value !== null && typeof value === 'object' && SUSPECT.test(text)) {
    try {
      sjson.scan(value, SCAN_OPTIONS);
    } catch {
      throw new ForbiddenKeyError();
    }
  }
  return value;
}

/**
 * Decode and parse a JSON body. JSON travels as UTF-8 (RFC 8259); decoding invalid bytes
 * would quietly turn them into U+FFFD and store something the caller never sent.
 */
export function decodeJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new MalformedJsonError('body is not valid UTF-8');
  return parseJsonBody(body.toString('utf8'));
}

/**
 * Make JSON the only body format: Fastify's JSON parser is replaced so each failure has
 * its own Wharf error code, and its text/plain parser is removed so a text body sent to a
 * route expecting JSON gets 415 rather than a confusing validation error. A route that
 * takes another format registers its own parser on `service.app`.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
