// The demo-pki routes inside the real portal: the OCSP POST needs no CSRF token or session, the CRL is served as DER.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { createDemoPki, type DemoPki } from '../../../demo-pki/demo-pki';
import { certificateFrom } from '../../../server/pki/parse';
import { buildOcspRequest, certIdFor, parseOcspResponse } from '../../../server/pki/revocation/ocsp';
import { parseCrl } from '../../../server/pki/revocation/crl';
import { runKeys } from '../../helpers/run-keys';

const dataDir = mkdtempSync(join(tmpdir(), 'demo-route-app-'));
let pki: DemoPki;
let portal: TestApp;

t.before(async () => {
  pki = await createDemoPki(join(dataDir, 'demo-pki'), { keyBits: 2048, newKey: runKeys() });
  portal = await buildTestApp({ DATA_DIR: dataDir, PORTAL_MODE: 'demo' });
});
t.teardown(async () => {
  await portal?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

t.test('the portal answers a cookieless OCSP POST without a CSRF token', async (t) => {
  const certId = certIdFor(
    certificateFrom(pki.card('wang-xiaoming').signingCertDer),
    certificateFrom(pki.intermediate('g3').certDer),
  );
  const request = buildOcspRequest(certId);
  const response = await portal.app.inject({
    method: 'POST',
    url: '/demo-pki/ocsp/g3',
    headers: { 'content-type': 'application/ocsp-request' },
    payload: request.der,
  });
  t.equal(response.statusCode, 200);
  t.equal(response.headers['content-type'], 'application/ocsp-response');
  const parsed = parseOcspResponse(response.rawPayload);
  t.equal(parsed.responses[0].status, 'good');
  t.ok(parsed.nonce?.equals(request.nonce));
});

t.test('an OCSP GET whose path does not decode is a 400, not a 500', async (t) => {
  for (const path of ['%25zz', '%25', 'AAAA%25E0%25A4%25A']) {
    const response = await portal.app.inject({ method: 'GET', url: `/demo-pki/ocsp/g3/${path}` });
    t.ok(response.statusCode < 500, `${path}: ${response.statusCode}`);
  }
});

t.test('the portal serves the demo CRL as DER with the pkix-crl type', async (t) => {
  const response = await portal.app.inject({ method: 'GET', url: '/demo-pki/g2.crl' });
  t.equal(response.statusCode, 200);
  t.equal(response.headers['content-type'], 'application/pkix-crl');
  t.equal(parseCrl(response.rawPayload).crlNumber !== undefined, true);
});

t.test('other form posts in the portal still need their CSRF token', async (t) => {
  const response = await portal.app.inject({
    method: 'POST',
    url: '/register/citizen',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=x',
  });
  t.equal(response.statusCode, 403);
});
