import {
  DatabaseConflictError,
  DatabaseInvalidValueError,
  DatabaseQueryError,
  DatabaseReferenceError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  ServiceError,
} from '../errors/index.js';
import { PGLITE_START_FAILED } from './pglite.js';

// Socket and driver codes that mean "no usable connection", not "bad SQL".
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  PGLITE_START_FAILED,
]);

// SQLSTATEs outside class 08 that also mean the server cannot take work right now.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
/** Class 22, data exception: a value the column or type cannot hold. */
const DATA_EXCEPTION_CLASS = '22';
const QUERY_CANCELED = '57014';

/** A server-reported SQL error: PGlite names the constraint `constraint`, postgres.js `constraint_name`. */
interface SqlStateError {
  code: string;
  constraint?: string;
  constraint_name?: string;
}

/**
 * Classify a driver error as a Wharf error. Errors that did not come from the driver
 * (a handler's own throw inside a transaction) are returned unchanged.
 */
export function toDatabaseError(err: unknown): unknown {
  if (err instanceof ServiceError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  if (CONNECTION_CODES.has(code)) return new DatabaseUnavailableError(undefined, err);
  if (!isSqlState(code)) return err;
  if (code.startsWith('08') || UNAVAILABLE_STATES.has(code)) {
    return new DatabaseUnavailableError(undefined, err);
  }
  const constraint = constraintOf(err as Error & SqlStateError);
  if (code === UNIQUE_VIOLATION) return new DatabaseConflictError(constraint, err);
  if (code === FOREIGN_KEY_VIOLATION) return new DatabaseReferenceError(constraint, err);
  // Both come from the values a request brought, which its schema let through.
  if (code === CHECK_VIOLATION) return new DatabaseInvalidValueError(code, constraint, err);
  if (code.startsWith(DATA_EXCEPTION_CLASS)) {
    return new DatabaseInvalidValueError(code, undefined, err);
  }
  if (code === QUERY_CANCELED) return new DatabaseTimeoutError(err);
  return new DatabaseQueryError(code, err);
}

/** True when the error means the database could not be reached. */
export function isUnavailable(err: unknown): err is DatabaseUnavailableError {
  return err instanceof DatabaseUnavailableError;
}

function constraintOf(err: SqlStateError): string | undefined {
  return err.constraint ?? err.constraint_name;
}

function isSqlState(code: string): boolean {
  return code.length === 5 && /^[0-9A-Z]{5}$/.test(code);
}
