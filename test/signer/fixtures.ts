// Test cards made with openssl in a temporary folder: a demo-like CA, a signing certificate
// (digitalSignature), an encryption certificate (keyEncipherment), and PKCS#12 soft cards holding them.
// Also: HTTP and WebSocket clients over real sockets, and independent signature checks with openssl.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { formatChallengeText } from '../../signer/challenge-text.js';

export const PORTAL = 'http://localhost:3000';

// Temporary folders of this test process, removed when it exits.
const temporary: string[] = [];
process.once('exit', () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}
export const PIN = '123456';

export function openssl(args: string[], cwd: string, input?: string): string {
  const result = spawnSync('openssl', args, { cwd, input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export interface TestCard {
  dir: string;
  /** Signing key + both certificates. */
  p12: string;
  /** Only the encryption key and certificate: must never sign. */
  encryptionOnlyP12: string;
  signKey: string;
  encKey: string;
  signCert: string;
  encCert: string;
  signCertDer: string;
  encCertDer: string;
  signPub: string;
  /** The card's issuing CA certificate (PEM). */
  caCert: string;
  holderName: string;
}

const EXTENSIONS = `[sign]
keyUsage=critical,digitalSignature,nonRepudiation
basicConstraints=CA:FALSE
[enc]
keyUsage=critical,keyEncipherment,dataEncipherment
basicConstraints=CA:FALSE
`;

let cached: TestCard | null = null;

/** One card per test process (RSA key generation is the slow part). */
export function makeTestCard(): TestCard {
  if (cached) return cached;
  const dir = tempDir('sw-signer-card-');
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/C=TW/O=Demo CA/CN=Demo MOICA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const holderName = '王小明';
  for (const use of ['sign', 'enc']) {
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${use}.key`,
        '-out',
        `${use}.csr`,
        '-utf8',
        '-subj',
        `/C=TW/CN=${holderName}/serialNumber=0000000112831644`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${use}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${use}.crt`,
        '-days',
        '30',
        '-extfile',
        'ext.cnf',
        '-extensions',
        use,
      ],
      dir,
    );
    openssl(['x509', '-in', `${use}.crt`, '-outform', 'DER', '-out', `${use}.der`], dir);
  }
  openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      'sign.key',
      '-in',
      'sign.crt',
      '-certfile',
      'enc.crt',
      '-out',
      'card.p12',
      '-passout',
      `pass:${PIN}`,
    ],
    dir,
  );
  openssl(
    ['pkcs12', '-export', '-inkey', 'enc.key', '-in', 'enc.crt', '-out', 'enc-only.p12', '-passout', `pass:${PIN}`],
    dir,
  );
  openssl(['x509', '-in', 'sign.crt', '-pubkey', '-noout', '-out', 'sign.pub'], dir);
  cached = {
    dir,
    p12: join(dir, 'card.p12'),
    encryptionOnlyP12: join(dir, 'enc-only.p12'),
    signKey: join(dir, 'sign.key'),
    encKey: join(dir, 'enc.key'),
    signCert: join(dir, 'sign.crt'),
    encCert: join(dir, 'enc.crt'),
    signCertDer: join(dir, 'sign.der'),
    encCertDer: join(dir, 'enc.der'),
    signPub: join(dir, 'sign.pub'),
    caCert: join(dir, 'ca.crt'),
    holderName,
  };
  return cached;
}

/** A fresh copy of a soft card (its own PIN counter), in its own folder. */
export function copyCard(file: string): string {
  const dir = tempDir('sw-signer-copy-');
  const target = join(dir, 'card.p12');
  copyFileSync(file, target);
  return target;
}

export function nonce(): string {
  return randomBytes(32).toString('base64url');
}

export function challenge(origin = PORTAL, purpose = 'login', n = nonce()): { text: string; nonce: string } {
  return {
    text: formatChallengeText({ origin, purpose, nonce: n, issued: new Date('2026-11-27T05:00:00.000Z') }),
    nonce: n,
  };
}

/** PKCS#1 v1.5 (SHA-256 unless told) checked by openssl, not by our code. */
export function opensslVerifyPkcs1(publicKeyPem: string, content: Buffer, signature: Buffer, hash = 'sha256'): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-verify-'));
  try {
    writeFileSync(join(dir, 'tbs.bin'), content);
    writeFileSync(join(dir, 'sig.bin'), signature);
    const result = spawnSync(
      'openssl',
      ['dgst', `-${hash}`, '-verify', publicKeyPem, '-signature', 'sig.bin', 'tbs.bin'],
      { cwd: dir, encoding: 'utf8' },
    );
    return result.status === 0 && /Verified OK/.test(result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CMS SignedData checked by openssl (signature over the signed attributes and the message digest); returns the content. */
export function opensslVerifyCms(
  signature: Buffer,
  detachedContent?: Buffer,
): { ok: boolean; content: Buffer; signerCert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-verify-'));
  try {
    writeFileSync(join(dir, 'sig.p7'), signature);
    const args = [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'sig.p7',
      '-noverify',
      '-out',
      'out.bin',
      '-certsout',
      'signer.pem',
    ];
    if (detachedContent) {
      writeFileSync(join(dir, 'content.bin'), detachedContent);
      args.push('-content', 'content.bin');
    }
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    const ok = result.status === 0 && /Verification successful/.test(result.stderr + result.stdout);
    return {
      ok,
      content: existsSync(join(dir, 'out.bin')) ? readFileSync(join(dir, 'out.bin')) : Buffer.alloc(0),
      signerCert: existsSync(join(dir, 'signer.pem')) ? readFileSync(join(dir, 'signer.pem'), 'utf8') : '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function derFromPem(pemFile: string): Buffer {
  return Buffer.from(execFileSync('openssl', ['x509', '-in', pemFile, '-outform', 'DER']));
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return http(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The hidden fields of the form in a signer page. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[match[1]] = match[2]
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return out;
}

export function formAction(html: string): string | null {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  return match ? match[1].replace(/&amp;/g, '&') : null;
}

export interface WsClient {
  ws: WebSocket;
  request(message: Record<string, unknown> | string): Promise<Record<string, unknown>>;
  next(): Promise<Record<string, unknown>>;
  close(): void;
}

export function connectWs(url: string, origin: string): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { origin });
    const queue: Array<Record<string, unknown>> = [];
    const waiting: Array<(m: Record<string, unknown>) => void> = [];
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    });
    const next = () =>
      new Promise<Record<string, unknown>>((res) => {
        const queued = queue.shift();
        if (queued) res(queued);
        else waiting.push(res);
      });
    ws.once('open', () =>
      resolve({
        ws,
        next,
        request: (message) => {
          ws.send(typeof message === 'string' ? message : JSON.stringify(message));
          return next();
        },
        close: () => ws.close(),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
