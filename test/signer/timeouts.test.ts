// Slow clients cannot hold the signer's connections: real sockets, bounds of a second or less set for the test.
import t, { type Test } from 'tap';
import { MAX_TRICKLES, slowClient } from '../helpers/slow-client.js';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import { connectWs, copyCard, makeTestCard, PORTAL } from './fixtures.js';

const card = makeTestCard();
/** The sweep runs every quarter of the header bound; plus scheduling slack. */
const SLACK_MS = 1000;
const REQUEST_MS = 1000;
const HEADERS_MS = 500;
const KEEP_ALIVE_MS = 500;
const IDLE_MS = 800;

async function signer(t: Test): Promise<RunningSigner> {
  const running = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [copyCard(card.p12)],
    timeouts: { requestMs: REQUEST_MS, headersMs: HEADERS_MS, keepAliveMs: KEEP_ALIVE_MS, idleMs: IDLE_MS },
  });
  t.teardown(() => running.close());
  return running;
}

function post(s: RunningSigner, path: string, origin: string): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nOrigin: ${origin}\r\n` +
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n'
  );
}

t.test('a no-JS form whose body arrives a byte at a time is cut off at the request timeout', async (t) => {
  const s = await signer(t);
  const closed = await slowClient(s.port, post(s, '/nojs/sign', PORTAL), 'pin=123456&');
  t.ok(closed.afterMs < REQUEST_MS + SLACK_MS, `closed after ${closed.afterMs} ms (bound ${REQUEST_MS} ms)`);
  t.ok(closed.trickled < MAX_TRICKLES, 'while the client was still sending');
  t.match(closed.received, /^HTTP\/1\.1 408 /, 'told 408 Request Timeout');
});

t.test('a refused site trickling a body after its refusal is cut off too', async (t) => {
  const s = await signer(t);
  const closed = await slowClient(s.port, post(s, '/sign', 'https://evil.example'), 'tbsPackage=x&');
  t.match(
    closed.received,
    /^HTTP\/1\.1 200 [\s\S]*"ret_code":1979711537/,
    'refused at once (0x76000031), before the body',
  );
  t.ok(closed.afterMs < REQUEST_MS + SLACK_MS, `closed after ${closed.afterMs} ms (bound ${REQUEST_MS} ms)`);
  t.notMatch(closed.received, /HTTP\/1\.1 408/, 'no second answer after the first');
});

t.test('headers that never end are cut off at the header timeout', async (t) => {
  const s = await signer(t);
  const closed = await slowClient(s.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-Slow: `, 'abcdefgh');
  t.ok(closed.afterMs < HEADERS_MS + SLACK_MS, `closed after ${closed.afterMs} ms (bound ${HEADERS_MS} ms)`);
  t.match(closed.received, /^HTTP\/1\.1 408 /);
});

t.test('a connection that sends nothing is closed', async (t) => {
  const s = await signer(t);
  const closed = await slowClient(s.port, '', null);
  t.ok(closed.afterMs < IDLE_MS + SLACK_MS, `closed after ${closed.afterMs} ms`);
});

t.test('an idle keep-alive connection is closed at the keep-alive timeout', async (t) => {
  const s = await signer(t);
  const closed = await slowClient(s.port, `GET /signer.css HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`, null);
  t.match(closed.received, /^HTTP\/1\.1 200 /, 'the request was answered');
  t.match(closed.received, /\r\nConnection: keep-alive\r\n/i, 'and the connection kept for a next one');
  // Node keeps the socket a further second past the advertised timeout, so a client reusing it just in time is served.
  t.ok(closed.afterMs < KEEP_ALIVE_MS + 1000 + SLACK_MS, `then closed after ${closed.afterMs} ms`);
});

t.test('a WebSocket is not closed by the HTTP idle timeout', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  // The one wait of this file: longer than the idle bound, to show the channel outlives it.
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 400));
  t.equal(ws.ws.readyState, ws.ws.OPEN);
  t.equal((await ws.request({ id: 'h', type: 'hello' })).type, 'hello');
});
