// The demo PKI's own soft cards (both keys in one PKCS#12, made by the portal's demo PKI) work in the signer,
// and the signer picks the signing key and certificate out of them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { createDemoPki, DEMO_CARDS } from '../../demo-pki/demo-pki.js';
import { startSigner } from '../../signer/server.js';
import {
  challenge,
  connectWs,
  formFields,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PORTAL,
  postForm,
  tempDir,
} from './fixtures.js';
import { runKeys } from '../helpers/run-keys';

const spec = DEMO_CARDS[0];
const dir = join(tempDir('sw-signer-demo-pki-'), 'pki');
const pki = await createDemoPki(dir, { keyBits: 2048, cards: [spec], newKey: runKeys() });
const demoCard = pki.card(spec.id);

t.test('a demo card signs with its signing certificate through the no-JS page', async (t) => {
  const s = await startSigner({ port: 0, allowOrigins: [PORTAL], demoPkiDir: dir });
  t.teardown(() => s.close());
  const c = challenge();
  const res = await postForm(
    `${s.url}/nojs/sign`,
    {
      tbs: c.text,
      nonce: c.nonce,
      returnUrl: `${PORTAL}/login/certificate/callback`,
      pin: spec.pin,
      signatureType: 'PKCS7',
    },
    { Origin: PORTAL },
  );
  t.match(res.body, /憑證載入完成。/);
  const back = formFields(res.body);
  t.equal(back.cardSerial, demoCard.cardSerial);
  t.same(Buffer.from(back.certificate, 'base64'), demoCard.signingCertDer);
  const verified = opensslVerifyCms(Buffer.from(back.signature, 'base64'));
  t.ok(verified.ok);
  t.equal(verified.content.toString(), c.text);
});

t.test('a demo card lists both certificates before the PIN and signs PKCS#1 over WebSocket', async (t) => {
  const s = await startSigner({ port: 0, allowOrigins: [PORTAL], demoPkiDir: dir });
  t.teardown(() => s.close());
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const list = await ws.request({ type: 'listCards' });
  const cards = list.cards as Array<{ cardSerial: string; label: string; certificates: Array<{ usage: string }> }>;
  t.equal(cards[0].cardSerial, demoCard.cardSerial);
  t.match(cards[0].label, spec.holderName);
  t.same(
    cards[0].certificates.map((c) => c.usage),
    ['signing', 'encryption', 'other'],
    'the holder’s two, then the card’s issuing CA',
  );
  const tbs = challenge().text;
  const answer = await ws.request({
    type: 'sign',
    tbs,
    signatureType: 'PKCS1',
    hashAlgorithm: 'SHA256',
    pin: spec.pin,
  });
  const pub = join(tempDir('sw-signer-pub-'), 'pub.pem');
  writeFileSync(pub, new X509Certificate(demoCard.signingCertDer).publicKey.export({ type: 'spki', format: 'pem' }));
  t.ok(opensslVerifyPkcs1(pub, Buffer.from(tbs), Buffer.from(answer.signature as string, 'base64')));
});

t.test(
  'a demo card file given with --p12 shows its certificates before the PIN (they are not encrypted in it)',
  async (t) => {
    const s = await startSigner({ port: 0, allowOrigins: [PORTAL], p12: [pki.path(demoCard.p12File)] });
    t.teardown(() => s.close());
    const cards = await s.service.cards();
    t.same(
      cards[0].certificates.map((c) => c.usage),
      ['signing', 'encryption'],
    );
    t.same(cards[0].certificates[0].der, demoCard.signingCertDer);
  },
);
