import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { HTTP_ERRORS, errorBody, type HttpErrorCode } from '../errors/http-errors';

// What the HTTP server says to a request it cannot even parse (Node's 'clientError'): a status and a
// sentence from the error table, like every other refusal, instead of a connection dropped without a
// word. A reset connection has nobody left to answer.

export function errorForClientError(code: string | undefined): HttpErrorCode | null {
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'HPE_HEADER_OVERFLOW':
      return 'headers_too_large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'request_timeout';
    default:
      return 'bad_request';
  }
}

export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const code = errorForClientError(err.code);
  if (!code || socket.destroyed || !socket.writable) return void socket.destroy();
  const { status } = HTTP_ERRORS[code];
  const body = JSON.stringify(errorBody(code, code === 'bad_request' ? 'The request is not valid HTTP.' : undefined));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // A client that never reads its answer must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}
