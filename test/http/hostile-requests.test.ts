// Requests a browser never sends, over a real socket: a body on GET, `?__proto__=`, raw UTF-8 in the URL, encoded and
// absolute-form API paths, a range before 1970. Each gets the API's documented JSON error shape and headers.
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_CONTENT_SECURITY_POLICY } from '../../src/http/security-headers';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, startTestServer, tokenFor } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection (within the limit). */
  closed: boolean;
}

/**
 * Writes `head` (the request line and headers, bytes as given) and optional body bytes on a fresh connection and
 * reads the answer until the server closes the connection or `limitMs` passes (then closed is false).
 */
function rawRequest(port: number, head: Buffer, body = Buffer.alloc(0), limitMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4), closed });
      socket.destroy();
    };
    const timer = setTimeout(finish, limitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('error', reject);
    socket.write(Buffer.concat([head, body]));
  });
}

const requestHead = (target: string, headers: string): Buffer =>
  Buffer.concat([Buffer.from('GET '), Buffer.from(target, 'utf8'), Buffer.from(` HTTP/1.1\r\nHost: clipscope.test\r\n${headers}\r\n`)]);

describe('hostile requests', () => {
  let temp: TempDb;
  let server: HttpServer;
  let port: number;
  let auth: string;

  beforeEach(async () => {
    temp = createTempDb();
    ({ server } = await startTestServer(temp.db));
    port = Number(new URL(await server.listen('127.0.0.1', 0)).port);
    auth = `Authorization: Bearer ${await tokenFor(temp.db, GUILD_A)}\r\nConnection: close\r\n`;
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('refuses a GET with a body before reading it, and closes the connection instead of draining 200 MB', async () => {
    const answer = await rawRequest(
      port,
      requestHead('/analytics/api/overview', `${auth.replace('Connection: close\r\n', '')}Content-Length: 209715200\r\n`),
      Buffer.alloc(64 * 1024, 'x'),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'body_not_allowed' });
    expect(answer.closed).toBe(true);
    // A body sent chunked is refused the same way; an empty Content-Length is no body.
    const chunked = await rawRequest(
      port,
      requestHead('/analytics/api/overview', `${auth}Transfer-Encoding: chunked\r\n`),
      Buffer.from('5\r\nhello\r\n0\r\n\r\n'),
    );
    expect(chunked.status).toBe(400);
    const empty = await rawRequest(port, requestHead('/analytics/api/overview', `${auth}Content-Length: 0\r\n`));
    expect(empty.status).toBe(200);
  });

  it('refuses ?__proto__= like every other unknown parameter', async () => {
    for (const target of [
      '/analytics/api/overview?__proto__=x',
      '/analytics/api/export.csv?report=top-creators&__proto__=x',
      '/healthz?__proto__=1',
    ]) {
      const answer = await rawRequest(port, requestHead(target, auth));
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body), target).toMatchObject({ error: 'invalid_parameter', parameter: '__proto__' });
    }
  });

  it('answers raw UTF-8 in a URL with the documented JSON error and the API’s headers', async () => {
    for (const target of ['/analytics/api/overview?period=wéek', '/analytics/api/ovérview']) {
      const answer = await rawRequest(port, requestHead(target, auth));
      expect(answer.status, target).toBe(400);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['content-security-policy']).toBe(API_CONTENT_SECURITY_POLICY);
      const body = JSON.parse(answer.body) as { error: string; message: string };
      expect(body.error).toBe('bad_request');
      expect(body.message).toContain('percent-encoded');
    }
  });

  it('gives encoded and absolute-form API paths the API’s headers', async () => {
    for (const target of [
      '/analytics/%61pi/overview',
      '/analytics/api/%6Fverview',
      'http://clipscope.test/analytics/api/overview',
      'http://clipscope.test/analytics/%61pi/no-such-endpoint',
    ]) {
      const answer = await rawRequest(port, requestHead(target, auth));
      expect(answer.headers['content-security-policy'], target).toBe(API_CONTENT_SECURITY_POLICY);
      expect(answer.headers['permissions-policy'], target).toBeUndefined();
      expect(answer.headers['content-type'], target).toBe('application/json; charset=utf-8');
    }
  });

  it('refuses a range before 1970 clearly instead of answering it with a wrong label', async () => {
    for (const [from, to] of [
      ['0001-01-01', '0001-02-01'],
      ['1899-12-01', '1900-01-02'],
    ]) {
      const answer = await rawRequest(port, requestHead(`/analytics/api/overview?from=${from}&to=${to}`, auth));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_parameter', parameter: 'from', rule: 'a date from 1970-01-01 on' });
    }
    const fine = await rawRequest(port, requestHead('/analytics/api/overview?from=1970-01-01&to=1970-02-01', auth));
    expect(fine.status).toBe(200);
    expect(JSON.parse(fine.body)).toMatchObject({ period: { label: '1970-01-01 – 1970-01-31' } });
  });
});
