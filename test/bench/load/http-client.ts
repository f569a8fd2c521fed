// A minimal browser for the multi-step load flows: one keep-alive connection from its own loopback address, a cookie
// jar, nothing else. Each simulated browser gets a fresh 127.x.y.z address because the portal limits sensitive POSTs
// per client address (30 a minute): many browsers at once are many addresses, as they would be in real use.
import { Agent, request } from 'node:http';

let addressCount = 0;

/** The next unused source address in 127.1.0.1 … 127.254.254.254 (no .0 or .255 octets). */
export function nextLoopbackAddress(): string {
  const n = addressCount++;
  const c = (n % 254) + 1;
  const b = (Math.floor(n / 254) % 254) + 1;
  const a = (Math.floor(n / (254 * 254)) % 254) + 1;
  return `127.${a}.${b}.${c}`;
}

export interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

export class LoadBrowser {
  private readonly agent: Agent;
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly origin: string,
    localAddress = nextLoopbackAddress(),
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress });
  }

  get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<Reply> {
    return this.send('POST', path, new URLSearchParams(form).toString());
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body?: string): Promise<Reply> {
    const headers: Record<string, string | number> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.origin), { method, headers, agent: this.agent }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          const value = pair.slice(eq + 1).trim();
          if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
          else this.cookies.set(name, value);
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
