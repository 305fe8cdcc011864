import { type TSchema, Type } from 'typebox';
import type { ServiceError } from '../errors/index.js';

/** `code` of every success envelope. */
export const OK_CODE = 0;
export const OK_MESSAGE = 'ok';

export interface SuccessEnvelope<T> {
  code: typeof OK_CODE;
  message: string;
  data: T;
}

export interface ErrorEnvelope {
  code: string;
  message: string;
  error?: unknown;
}

export type Envelope<T> = SuccessEnvelope<T> | ErrorEnvelope;

/** The success envelope around a data schema: response schema and OpenAPI in one. */
export function successEnvelopeSchema(data: TSchema | undefined): TSchema {
  return Type.Object({
    code: Type.Literal(OK_CODE, { description: '0 on success.' }),
    message: Type.String({ description: '"ok" on success.' }),
    data: data ?? Type.Unknown(),
  });
}

export const ErrorEnvelopeSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable application error code, e.g. VALIDATION_FAILED.' }),
    message: Type.String({ description: 'Human-readable explanation.' }),
    error: Type.Optional(Type.Unknown({ description: 'Structured detail (failing fields …).' })),
  },
  { $id: 'WharfError', title: 'WharfError' },
);

export function errorBody(err: ServiceError): ErrorEnvelope {
  return err.error === undefined
    ? { code: err.code, message: err.message }
    : { code: err.code, message: err.message, error: err.error };
}
