// Test helpers: a minimal OpenSSL CA in a temp directory (an independent producer of certificates, CRLs and OCSP answers),
// and a tiny HTTP server that serves fixed bodies and counts requests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const pemToDer = (pem: string): Buffer =>
  Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

export function openssl(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): string {
  return execFileSync('openssl', args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString('utf8');
}

export interface OpensslCa {
  dir: string;
  caCertDer: Buffer;
  caCertFile: string;
  caKeyFile: string;
  config: string;
  /** issues a leaf (RSA-2048) with CRLDP/AIA pointing at the given URLs; returns its DER and serial (hex, upper case) */
  issue(
    name: string,
    opts?: { extensions?: string },
  ): { der: Buffer; serialHex: string; certFile: string; keyFile: string };
  revoke(certFile: string, reason?: string): void;
  /** openssl ca -gencrl with fixed lastUpdate/nextUpdate (YYYYMMDDHHMMSSZ), optionally with another CRL extension section */
  gencrl(lastUpdate: string, nextUpdate: string, crlExtensions?: string): Buffer;
}

export function makeOpensslCa(dir: string, urls: { crl: string; ocsp: string }): OpensslCa {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const config = join(dir, 'ca.cnf');
  writeFileSync(
    config,
    `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.crt
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 7
policy = policy_any
unique_subject = no
crl_extensions = crl_ext
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
[ dn ]
[ leaf_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
crlDistributionPoints = URI:${urls.crl}
authorityInfoAccess = OCSP;URI:${urls.ocsp}
[ ocsp_ext ]
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[ noeku_ext ]
keyUsage = critical, digitalSignature
[ crl_ext ]
authorityKeyIdentifier = keyid
[ idp_user ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_user_section
[ idp_user_section ]
fullname = URI:${urls.crl}
onlyuser = TRUE
[ idp_elsewhere ]
issuingDistributionPoint = critical, @idp_elsewhere_section
[ idp_elsewhere_section ]
fullname = URI:http://elsewhere.invalid/ca.crl
[ idp_ca ]
issuingDistributionPoint = critical, @idp_ca_section
[ idp_ca_section ]
onlyCA = TRUE
`,
  );
  const caKeyFile = join(dir, 'ca.key');
  const caCertFile = join(dir, 'ca.crt');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKeyFile,
    '-out',
    caCertFile,
    '-subj',
    '/C=TW/O=OpenSSL Test CA/CN=Independent CA',
    '-days',
    '3650',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-config',
    config,
  ]);
  return {
    dir,
    config,
    caKeyFile,
    caCertFile,
    caCertDer: pemToDer(readFileSync(caCertFile, 'utf8')),
    issue(name, opts = {}) {
      const keyFile = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const certFile = join(dir, `${name}.crt`);
      openssl([
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        csr,
        '-subj',
        `/CN=${name}`,
        '-config',
        config,
      ]);
      openssl([
        'ca',
        '-batch',
        '-config',
        config,
        '-extensions',
        opts.extensions ?? 'leaf_ext',
        '-in',
        csr,
        '-out',
        certFile,
        '-notext',
        '-startdate',
        '20250101000000Z',
        '-enddate',
        '20351231000000Z',
      ]);
      const der = pemToDer(readFileSync(certFile, 'utf8'));
      const serialHex = openssl(['x509', '-in', certFile, '-noout', '-serial'])
        .trim()
        .replace(/^serial=/, '')
        .toUpperCase();
      return { der, serialHex, certFile, keyFile };
    },
    revoke(certFile, reason = 'keyCompromise') {
      openssl(['ca', '-config', config, '-revoke', certFile, '-crl_reason', reason]);
    },
    gencrl(lastUpdate, nextUpdate, crlExtensions) {
      const out = join(dir, 'ca.crl');
      openssl([
        'ca',
        '-config',
        config,
        '-gencrl',
        '-crl_lastupdate',
        lastUpdate,
        '-crl_nextupdate',
        nextUpdate,
        '-out',
        out,
        ...(crlExtensions ? ['-crlexts', crlExtensions] : []),
      ]);
      return pemToDer(readFileSync(out, 'utf8'));
    },
  };
}

export interface TestServer {
  url: string;
  port: number;
  /** requests per path */
  hits: Map<string, number>;
  routes: Map<string, (req: IncomingMessage, body: Buffer, res: ServerResponse) => void>;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, (req: IncomingMessage, body: Buffer, res: ServerResponse) => void>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const route = routes.get(path);
      if (!route) {
        res.statusCode = 404;
        res.end();
        return;
      }
      route(req, Buffer.concat(chunks), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const serveBody =
  (body: () => Buffer, contentType = 'application/octet-stream') =>
  (_req: IncomingMessage, _body: Buffer, res: ServerResponse) => {
    res.setHeader('content-type', contentType);
    res.end(body());
  };

/** A port that was free a moment ago (for a child process that must be told its port). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `openssl ocsp` as a responder and waits for it to say it accepts connections.
 * (A probe connection must not be used: openssl 3.0's responder stalls on a connection that closes without a request.)
 */
export async function startOpensslOcsp(args: string[], port: number): Promise<ChildProcess> {
  const child = spawn('openssl', ['ocsp', '-port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      if (/waiting for OCSP client connections|ACCEPT /.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`openssl ocsp exited: ${output}`)));
  });
  return child;
}
