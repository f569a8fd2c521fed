// An HTTP client for load and fuzz tests against a portal on 127.0.0.1: keep-alive connections, each from its own
// loopback source address (all of 127.0.0.0/8 is this machine). The portal's rate limits count per client address,
// and several POST routes allow 10–60 a minute: from one address a fuzz would test little but the 429 page.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export class NoAnswerError extends Error {
  constructor(
    readonly kind: 'timeout' | 'socket',
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

let addressCount = 0;

/** The next loopback source address, from 127.16.0.1 on: never 127.0.0.1, the portal's own (its CRL fetches). */
export function nextLoopbackAddress(): string {
  for (;;) {
    addressCount += 1;
    const n = addressCount;
    const c = (n >> 8) & 255;
    const d = n & 255;
    if (d === 0 || d === 255) continue;
    return `127.${16 + ((n >> 16) & 15)}.${c}.${d}`;
  }
}

/** One client: one connection at a time, kept alive, moved to a new source address every `requestsPerAddress` requests. */
export class LoopbackClient {
  private agent: Agent | undefined;
  private used = 0;
  address = '';

  constructor(
    private readonly port: number,
    private readonly requestsPerAddress: number,
    private readonly timeoutMs: number,
  ) {}

  private currentAgent(): Agent {
    if (!this.agent || this.used >= this.requestsPerAddress) {
      this.agent?.destroy();
      this.address = nextLoopbackAddress();
      this.agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: this.address });
      this.used = 0;
    }
    this.used += 1;
    return this.agent;
  }

  send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
    const agent = this.currentAgent();
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const outgoing = { ...headers };
      if (body !== undefined) outgoing['content-length'] = String(body.length);
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers: outgoing, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
        res.on('error', (error) => reject(new NoAnswerError('socket', error.message)));
      });
      req.setTimeout(this.timeoutMs, () => {
        req.destroy();
        reject(new NoAnswerError('timeout', `${method} ${path}: no answer within ${this.timeoutMs} ms`));
      });
      req.on('error', (error) => {
        // A reused keep-alive socket the server closed meanwhile: the next request gets a new one.
        this.used = this.requestsPerAddress;
        reject(new NoAnswerError('socket', `${method} ${path}: ${error.message}`));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
