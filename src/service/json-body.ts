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
 * Make JSON the only body format: Fastify's JSON parser is replaced so each failure has
 * its own Wharf error code, and its text/plain parser is removed so a text body sent to a
 * route expecting JSON gets 415 rather than a confusing validation error. A route that
 * takes another format registers its own parser on `service.app`.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
