// Answers for requests that never reach a route: bytes Node's HTTP parser refuses (raw UTF-8 in a URL, oversized
// headers, a timeout) and bodies on GET or HEAD. Both get the API's JSON error shape and headers, not fastify's own.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from './errors';
import { RAW_API_HEADERS } from './security-headers';

/** What the client did wrong, by the parser's error code; anything else is a generic 400. */
function describe(code: string | undefined): { status: number; error: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, error: 'headers_too_large', message: 'The request headers are too large; send fewer or shorter headers.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: 'request_timeout', message: 'The request took too long to arrive; send it again.' };
    case 'HPE_INVALID_URL':
      return {
        status: 400,
        error: 'bad_request',
        message: 'The URL holds characters that must be percent-encoded: send non-ASCII text as UTF-8 %XX bytes (é as %C3%A9).',
      };
    default:
      return { status: 400, error: 'bad_request', message: 'The request could not be read as HTTP/1.1; check how it is formed.' };
  }
}

/** fastify's clientErrorHandler: one JSON answer, then the connection closes (the parser cannot go on after it). */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, error: code, message } = describe(error.code);
  const body = JSON.stringify({ error: code, message });
  const headers = Object.entries(RAW_API_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n${headers}connection: close\r\n\r\n${body}`,
  );
}

/**
 * GET and HEAD take no body: one is refused before it is read, and the connection is closed after the answer, so
 * Node does not read (and discard) the rest of a body of any size to keep the connection alive.
 */
export function bodyOnReadRequest(method: string, headers: Record<string, string | string[] | undefined>): HttpError | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const length = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return null;
  return new HttpError(
    400,
    'body_not_allowed',
    `${method} requests take no body; send the parameters in the query string.`,
    {},
    { connection: 'close' },
  );
}
