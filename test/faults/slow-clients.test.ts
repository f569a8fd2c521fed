// Slow clients: 200 connections that send their headers one byte a second hold no part of the real portal
// process hostage. The portal closes each at its header timeout (3 s here), and a normal browser is served 首頁
// quickly all the while. Loopback only; every loop is bounded, so a missing timeout fails the test instead of hanging it.
import t from 'tap';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPortalProcess } from '../helpers/portal-process';
import { LoopbackClient, nextLoopbackAddress } from '../helpers/loopback-client';

const SLOW_CLIENTS = 200;
const HEADERS_TIMEOUT_SECONDS = 3;
/** Node checks for late headers every quarter of the bound (750 ms here); plus scheduling slack on a busy machine. */
const CLOSE_BOUND_MS = HEADERS_TIMEOUT_SECONDS * 1000 + 750 + 1500;
/** A slow client gives up (and the test fails) after this many bytes: far past the bound. */
const MAX_BYTES = 15;
/** What "quickly" means for the normal browser's 首頁 while the slow ones wait. */
const HOME_PAGE_BOUND_MS = 1000;

const portal = await startPortalProcess({
  HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_SECONDS),
  REQUEST_TIMEOUT_SECONDS: '5',
});
t.teardown(async () => {
  if (portal.alive()) await portal.stop();
});

interface SlowResult {
  /** when the portal closed the connection, from the first byte sent */
  closedAfterMs: number;
  bytesSent: number;
  received: string;
  /** the client gave up: the portal never closed it */
  gaveUp: boolean;
}

/** Opens a connection and sends a request's headers one byte a second until the portal closes it. */
function slowHeaders(address: string): Promise<SlowResult> {
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n\r\n';
  return new Promise((resolve) => {
    const socket = connect({ port: portal.port, host: '127.0.0.1', localAddress: address });
    let sent = 0;
    let received = '';
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    let gaveUp = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {
      // a reset is a close too: 'close' follows
    });
    const step = () => {
      if (sent >= MAX_BYTES) {
        gaveUp = true;
        socket.destroy();
        return;
      }
      socket.write(request[sent]);
      sent += 1;
      timer = setTimeout(step, 1000);
    };
    socket.once('connect', () => {
      started = Date.now();
      step();
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, bytesSent: sent, received, gaveUp });
    });
  });
}

t.test(
  `${SLOW_CLIENTS} connections sending headers a byte a second are closed at the header timeout while 首頁 is served`,
  async (t) => {
    const slow = Array.from({ length: SLOW_CLIENTS }, () => slowHeaders(nextLoopbackAddress()));
    let allClosed = false;
    const closed = Promise.all(slow).finally(() => (allClosed = true));

    // Meanwhile a normal browser asks for 首頁 every 200 ms, until the slow ones are gone (at most 40 times).
    const browser = new LoopbackClient(portal.port, 1000, 5000);
    const times: number[] = [];
    const statuses = new Set<number>();
    await sleep(200); // the slow connections are open and waiting by now
    for (let i = 0; i < 40 && !allClosed; i++) {
      const answer = await browser.send('GET', '/', { accept: 'text/html' });
      statuses.add(answer.status);
      times.push(answer.ms);
      if (i === 0) t.match(answer.body.toString(), /首頁/, '首頁 is the page served');
      await sleep(200);
    }
    browser.close();
    const results = await closed;

    const slowest = Math.max(...results.map((r) => r.closedAfterMs));
    const fastest = Math.min(...results.map((r) => r.closedAfterMs));
    const with408 = results.filter((r) => /^HTTP\/1\.1 408 /.test(r.received)).length;
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `# slow clients: ${SLOW_CLIENTS} connections, header timeout ${HEADERS_TIMEOUT_SECONDS} s; closed after ${fastest}–${slowest} ms` +
        ` (${with408} told 408), at most ${Math.max(...results.map((r) => r.bytesSent))} bytes sent each;` +
        ` 首頁 meanwhile ${times.length} times, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, slowest ${sorted[sorted.length - 1].toFixed(0)} ms\n`,
    );

    t.equal(results.filter((r) => r.gaveUp).length, 0, 'the portal closed every slow connection itself');
    t.ok(slowest <= CLOSE_BOUND_MS, `all closed within ${CLOSE_BOUND_MS} ms (slowest ${slowest} ms)`);
    t.ok(
      fastest >= (HEADERS_TIMEOUT_SECONDS - 1) * 1000,
      `none before the header timeout was near (fastest ${fastest} ms)`,
    );
    t.ok(times.length >= 5, `首頁 was asked for while they waited (${times.length} times)`);
    t.same([...statuses], [200], '首頁 answered 200 every time');
    t.ok(
      sorted[sorted.length - 1] < HOME_PAGE_BOUND_MS,
      `首頁 within ${HOME_PAGE_BOUND_MS} ms every time (slowest ${sorted[sorted.length - 1].toFixed(0)} ms)`,
    );
    t.ok(portal.alive(), 'the portal is still running');
  },
);
