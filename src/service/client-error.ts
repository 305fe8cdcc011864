import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import {
  BadRequestError,
  HeadersTooLargeError,
  RequestTimeoutError,
  type ServiceError,
} from '../errors/index.js';
import { errorBody } from './envelope.js';

/**
 * Errors Node raises on a socket before a request reaches routing (bad framing, huge
 * headers, slow clients). They skip Fastify's error handler, so they are written here
 * as envelopes directly on the socket.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = classify(err.code);
  if (socket.writable && !responseUnderWay(socket)) {
    const body = JSON.stringify(errorBody(error));
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
        'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * A request can time out while its response is already being written (a handler that
 * answers before the body is in). Bytes of a second response would corrupt that one, so
 * the connection is only cut, as Node itself does.
 */
function responseUnderWay(socket: Socket): boolean {
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })
    ._httpMessage;
  return current?.headersSent === true;
}

function classify(code: string | undefined): ServiceError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new RequestTimeoutError();
  if (code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLargeError();
  return new BadRequestError('Malformed HTTP request');
}
