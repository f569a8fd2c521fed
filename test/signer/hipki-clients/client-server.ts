// A tiny static server for the client pages of this folder, on http://localhost:<port>: another site than the
// signer on 127.0.0.1, as a real web site is. It serves only the .html and .js files next to it.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export interface ClientServer {
  origin: string;
  /** A page's URL, telling it where the signer is (the samples hard-code http://localhost:61161). */
  page(name: string, signerUrl: string, params?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startClientServer(): Promise<ClientServer> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(HERE)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/${name}`, { type, body: readFileSync(`${HERE}/${name}`) });
  }
  const server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    page: (name, signerUrl, params = {}) =>
      `${origin}/${name}?${new URLSearchParams({ signer: signerUrl, ...params }).toString()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
