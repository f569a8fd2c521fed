// Demo mode only: the demo PKI's repository and OCSP responder, served by the portal itself so revocation works end to end
// on one machine. GET /demo-pki/<ca>.crl and /demo-pki/<ca>.crt (DER), POST /demo-pki/ocsp/<ca> (RFC 6960 over HTTP, Appendix A),
// for <ca> in root, g2, g3, moeaca, gca and customs. The OCSP POST carries no CSRF token (its callers are relying parties, not browsers).
// It lives in demo-pki/ rather than server/plugins/ because it signs (OCSP answers, re-issued CRLs) with the demo CAs'
// keys: server/app.ts loads it with a dynamic import in demo mode only, so production never loads CA-issuing code.
import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { der } from '../server/pki/index';
import { refreshDemoCrls } from './demo-pki';
import { createDemoOcspResponder, type DemoCa } from './ocsp-responder';

export interface DemoPkiPluginOptions {
  /** the demo PKI directory (DATA_DIR/demo-pki) */
  pkiDir: string;
  /** the responder's and CRL issuer's clock; tests pass a fixed one */
  clock?: () => Date;
}

const CAS: readonly DemoCa[] = ['root', 'g2', 'g3', 'moeaca', 'gca', 'customs'];
const isCa = (value: string): value is DemoCa => (CAS as readonly string[]).includes(value);
const MAX_OCSP_REQUEST_BYTES = 16 * 1024;

const demoPkiPlugin: FastifyPluginAsync<DemoPkiPluginOptions> = async (app, { pkiDir, clock = () => new Date() }) => {
  // Scoped to this plugin: only these routes accept application/ocsp-request, as a raw Buffer.
  app.addContentTypeParser(
    'application/ocsp-request',
    { parseAs: 'buffer', bodyLimit: MAX_OCSP_REQUEST_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );
  const responder = createDemoOcspResponder(pkiDir, { clock });
  const noRateLimit = { rateLimit: false } as const;

  app.get<{ Params: { file: string } }>('/demo-pki/:file', { config: noRateLimit }, async (request, reply) => {
    const match = /^(root|g2|g3|moeaca|gca|customs)\.(crl|crt)$/.exec(request.params.file);
    if (!match) return reply.code(404).type('text/plain').send('not found');
    const [, ca, kind] = match;
    if (kind === 'crl') {
      // CRLs are re-issued here when less than 12 hours remain, so a long-running demo never serves a stale one.
      refreshDemoCrls(pkiDir, clock());
      const body = await readFile(join(pkiDir, `${ca}.crl`));
      return reply.type('application/pkix-crl').header('cache-control', 'max-age=300').send(body);
    }
    const body = der.fromPem(await readFile(join(pkiDir, `${ca}.crt.pem`), 'utf8'));
    return reply.type('application/pkix-cert').header('cache-control', 'max-age=3600').send(body);
  });

  app.post<{ Params: { ca: string }; Body: Buffer }>(
    '/demo-pki/ocsp/:ca',
    { config: { csrf: false, ...noRateLimit } },
    async (request, reply) => {
      if (!isCa(request.params.ca)) return reply.code(404).type('text/plain').send('not found');
      if (!Buffer.isBuffer(request.body))
        return reply.code(415).type('text/plain').send('expected application/ocsp-request');
      return reply
        .type('application/ocsp-response')
        .header('cache-control', 'no-store')
        .send(responder.respond(request.params.ca, request.body));
    },
  );

  // RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}
  app.get<{ Params: { ca: string; request: string } }>(
    '/demo-pki/ocsp/:ca/*',
    { config: noRateLimit },
    async (request, reply) => {
      if (!isCa(request.params.ca)) return reply.code(404).type('text/plain').send('not found');
      const encoded = (request.params as unknown as Record<string, string>)['*'] ?? '';
      const der = Buffer.from(decodeOnce(encoded), 'base64');
      if (der.length === 0 || der.length > MAX_OCSP_REQUEST_BYTES)
        return reply.code(400).type('text/plain').send('bad request');
      return reply
        .type('application/ocsp-response')
        .header('cache-control', 'no-store')
        .send(responder.respond(request.params.ca, der));
    },
  );
};

/**
 * The router has decoded the path once; a client that URL-encoded the base64 twice still works, and a stray '%' is
 * no URIError (a 500): base64 has no '%', so whatever does not decode is left for the length check to refuse.
 */
function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export default demoPkiPlugin;
