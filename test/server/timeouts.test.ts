// Slow clients cannot hold the portal's connections: real sockets to a listening portal (inject has no timeouts),
// with one-second bounds from the configuration so each case ends in a second or two.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../helpers/app';
import { MAX_TRICKLES, slowClient } from '../helpers/slow-client';

/** Node sweeps for late requests every quarter of the header bound (250 ms here); plus scheduling slack. */
const SLACK_MS = 1000;

async function listeningPortal(t: Test, env: Record<string, string>): Promise<number> {
  const portal = await buildTestApp(env);
  t.teardown(() => portal.close());
  await portal.app.listen({ port: 0, host: '127.0.0.1' });
  return (portal.app.server.address() as AddressInfo).port;
}

t.test('a body that arrives a byte at a time is cut off at the request timeout', async (t) => {
  const port = await listeningPortal(t, { REQUEST_TIMEOUT_SECONDS: '1', HEADERS_TIMEOUT_SECONDS: '1' });
  const headers =
    'POST /register/citizen/check HTTP/1.1\r\nHost: localhost\r\n' +
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n';
  const closed = await slowClient(port, headers, 'idNumber=A123456789&');
  t.ok(closed.afterMs < 1000 + SLACK_MS, `closed after ${closed.afterMs} ms, within the 1 s request bound`);
  t.ok(closed.trickled < MAX_TRICKLES, 'while the client was still sending');
  t.match(closed.received, /^HTTP\/1\.1 408 /, 'told 408 Request Timeout');
});

t.test('headers that never end are cut off at the header timeout, before the request timeout', async (t) => {
  const port = await listeningPortal(t, { REQUEST_TIMEOUT_SECONDS: '5', HEADERS_TIMEOUT_SECONDS: '1' });
  const closed = await slowClient(port, 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 'abcdefgh');
  t.ok(closed.afterMs < 1000 + SLACK_MS, `closed after ${closed.afterMs} ms, within the 1 s header bound`);
  t.match(closed.received, /^HTTP\/1\.1 408 /);
});

t.test('a connection that sends nothing is closed at the connection timeout', async (t) => {
  const port = await listeningPortal(t, {
    CONNECTION_TIMEOUT_SECONDS: '1',
    REQUEST_TIMEOUT_SECONDS: '5',
    HEADERS_TIMEOUT_SECONDS: '5',
  });
  const closed = await slowClient(port, '', null);
  t.ok(closed.afterMs < 1000 + SLACK_MS, `closed after ${closed.afterMs} ms, within the 1 s connection bound`);
});

t.test('an idle keep-alive connection is closed at the keep-alive timeout', async (t) => {
  const port = await listeningPortal(t, { KEEP_ALIVE_TIMEOUT_SECONDS: '1', CONNECTION_TIMEOUT_SECONDS: '5' });
  const closed = await slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n', null);
  t.match(closed.received, /^HTTP\/1\.1 200 /, 'the request was answered');
  t.match(closed.received, /\r\nKeep-Alive: timeout=1\r\n/i, 'the connection kept open for a next one, for 1 s');
  // Node keeps the socket a further second past the advertised timeout, so a client reusing it just in time is served.
  t.ok(
    closed.afterMs < 1000 + 1000 + SLACK_MS,
    `then closed after ${closed.afterMs} ms idle, within the keep-alive bound`,
  );
});

t.test('a request sent at a normal pace is answered', async (t) => {
  const port = await listeningPortal(t, {
    REQUEST_TIMEOUT_SECONDS: '1',
    HEADERS_TIMEOUT_SECONDS: '1',
    KEEP_ALIVE_TIMEOUT_SECONDS: '1',
  });
  const closed = await slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', null);
  t.match(closed.received, /^HTTP\/1\.1 200 /);
});
