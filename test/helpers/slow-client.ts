// A slow client on a loopback socket: real bytes at a slow pace, to test that a server's timeouts hold.
import { connect, type Socket } from 'node:net';

export const TRICKLE_MS = 100;
/** 6 s: far past the bounds the tests set, so a missing timeout fails the test instead of hanging it. */
export const MAX_TRICKLES = 60;

export interface Closed {
  /** Milliseconds from the start of the exchange to the server closing the connection. */
  afterMs: number;
  /** What the server sent before closing. */
  received: string;
  /** How many trickled bytes the client had sent by then. */
  trickled: number;
}

/**
 * Opens a connection, sends `opening`, then one byte of `trickle` every TRICKLE_MS (at most MAX_TRICKLES),
 * and resolves when the server closes the connection, or rejects when it never does.
 */
export function slowClient(port: number, opening: string, trickle: string | null): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let received = '';
    let trickled = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {
      // a reset is a close too; 'close' follows
    });
    const step = () => {
      if (trickled >= MAX_TRICKLES) {
        socket.destroy();
        reject(new Error(`the server kept the connection open for ${Date.now() - started} ms`));
        return;
      }
      if (trickle !== null && !socket.destroyed) socket.write(trickle[trickled % trickle.length]);
      trickled++;
      timer = setTimeout(step, TRICKLE_MS);
    };
    socket.once('connect', () => {
      if (opening) socket.write(opening);
      timer = setTimeout(step, TRICKLE_MS);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: Date.now() - started, received, trickled });
    });
  });
}
