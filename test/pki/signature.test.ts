// Challenge signatures: PKCS#1 v1.5 and CMS SignedData (attached and detached), made by node-forge and by openssl.
import t from 'tap';
import { createCmsSignature, createPkcs1Signature } from '../helpers/cms-sign.js';
import { verifyChallengeSignature, type SignatureReason } from '../../server/pki/signature.js';
import { OpensslWorkspace, CA_EXT, INT_EXT, SIGN_EXT } from './fixtures/openssl-certs.js';
import { makeCard, moicaChain, rsaKey } from './fixtures/forge-certs.js';

const { ca, card } = moicaChain();
const other = makeCard(ca, { key: rsaKey(2048, 4), serial: '5a5a0009' });
const TBS = 'sw-portal challenge\norigin=http://localhost:3000\npurpose=login\nnonce=Zm9vYmFyYmF6cXV4\n關港貿單一窗口';

const w = new OpensslWorkspace();
t.teardown(() => w.cleanup());
const oRoot = w.issue({ subject: '/CN=OpenSSL Root', extensions: CA_EXT });
const oCa = w.issue({ subject: '/C=TW/O=行政院/OU=內政部憑證管理中心', extensions: INT_EXT }, oRoot);
const oCard = w.issue(
  { subject: '/C=TW/CN=林美麗/serialNumber=0000000087654321', extensions: SIGN_EXT, key: 'rsa2048' },
  oCa,
);

function expectReason(
  t: { equal: (a: unknown, b: unknown, m: string) => unknown },
  r: ReturnType<typeof verifyChallengeSignature>,
  reason: SignatureReason | 'ok',
) {
  t.equal(r.ok ? 'ok' : r.reason, reason, r.ok ? '' : r.detail);
}

t.test('a PKCS#1 v1.5 SHA-256 signature by the card verifies (node-forge key, Node signer)', async (t) => {
  const sig = createPkcs1Signature(TBS, card.key.privatePem).toString('base64');
  const r = verifyChallengeSignature({ tbs: TBS, signature: sig, certificate: card.der });
  t.same(r, { ok: true, format: 'pkcs1' });
});

t.test('a PKCS#1 signature made by openssl dgst verifies', async (t) => {
  const sig = w.dgstSign(TBS, oCard).toString('base64');
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: sig, certificate: oCard.pem, format: 'pkcs1' }),
    'ok',
  );
});

t.test('a CMS SignedData with the text attached verifies, from node-forge and from openssl', async (t) => {
  const forgeSig = createCmsSignature({
    content: TBS,
    certificatePem: card.pem,
    privateKeyPem: card.key.privatePem,
    signingTime: new Date('2026-03-01T00:00:00Z'),
  });
  const r = verifyChallengeSignature({ tbs: TBS, signature: forgeSig.toString('base64'), certificate: card.der });
  t.same(r, { ok: true, format: 'cms', detached: false, signingTime: new Date('2026-03-01T00:00:00Z') });
  const osslSig = w.cmsSign(TBS, oCard, false);
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: osslSig.toString('base64'), certificate: oCard.der }),
    'ok',
  );
});

t.test('a detached CMS SignedData verifies against the text, from node-forge and from openssl', async (t) => {
  const forgeSig = createCmsSignature({
    content: TBS,
    certificatePem: card.pem,
    privateKeyPem: card.key.privatePem,
    detached: true,
  });
  const r = verifyChallengeSignature({ tbs: TBS, signature: forgeSig, certificate: card.der, format: 'cms' });
  t.ok(r.ok && r.detached);
  const osslSig = w.cmsSign(TBS, oCard, true);
  const r2 = verifyChallengeSignature({ tbs: TBS, signature: osslSig.toString('base64'), certificate: oCard.der });
  t.ok(r2.ok && r2.detached);
});

t.test('a streamed openssl CMS in BER with indefinite lengths verifies', async (t) => {
  const sig = w.cmsSign(TBS, oCard, false, ['-stream']);
  t.equal(sig[1], 0x80, 'the outer length is indefinite');
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: sig.toString('base64'), certificate: oCard.der }),
    'ok',
  );
});

t.test('an openssl CMS that names its signer by subject key identifier verifies', async (t) => {
  const sig = w.cmsSign(TBS, oCard, true, ['-keyid']);
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: sig.toString('base64'), certificate: oCard.der }),
    'ok',
  );
});

t.test('a CMS without the card certificate inside still verifies against the presented one', async (t) => {
  const sig = w.cmsSign(TBS, oCard, false, ['-nocerts']);
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: sig.toString('base64'), certificate: oCard.der }),
    'ok',
  );
});

t.test('a signature over another text is invalid (PKCS#1) or a content mismatch (CMS)', async (t) => {
  const other = TBS.replace('login', 'register');
  expectReason(
    t,
    verifyChallengeSignature({
      tbs: other,
      signature: createPkcs1Signature(TBS, card.key.privatePem).toString('base64'),
      certificate: card.der,
    }),
    'signature_invalid',
  );
  expectReason(
    t,
    verifyChallengeSignature({
      tbs: other,
      signature: w.cmsSign(TBS, oCard, false).toString('base64'),
      certificate: oCard.der,
    }),
    'signature_content_mismatch',
  );
  expectReason(
    t,
    verifyChallengeSignature({
      tbs: other,
      signature: w.cmsSign(TBS, oCard, true).toString('base64'),
      certificate: oCard.der,
    }),
    'signature_content_mismatch',
  );
});

t.test('a signature by another card is signer mismatch (CMS) or invalid (PKCS#1)', async (t) => {
  const cms = createCmsSignature({ content: TBS, certificatePem: other.pem, privateKeyPem: other.key.privatePem });
  expectReason(t, verifyChallengeSignature({ tbs: TBS, signature: cms, certificate: card.der }), 'signer_mismatch');
  expectReason(
    t,
    verifyChallengeSignature({
      tbs: TBS,
      signature: createPkcs1Signature(TBS, other.key.privatePem),
      certificate: card.der,
    }),
    'signature_invalid',
  );
});

t.test('a CMS whose signature bytes are damaged is invalid', async (t) => {
  const cms = createCmsSignature({ content: TBS, certificatePem: card.pem, privateKeyPem: card.key.privatePem });
  cms[cms.length - 3] ^= 0x40;
  expectReason(t, verifyChallengeSignature({ tbs: TBS, signature: cms, certificate: card.der }), 'signature_invalid');
});

t.test('a CMS signed with SHA-1 uses a weak algorithm', async (t) => {
  const input = TBS;
  const sig = w.cmsSign(input, oCard, false, ['-md', 'sha1']);
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: sig, certificate: oCard.der }),
    'signature_weak_algorithm',
  );
});

t.test(
  'signatures that are not base64, empty, truncated or random are malformed or invalid, never a crash',
  async (t) => {
    expectReason(
      t,
      verifyChallengeSignature({ tbs: TBS, signature: '', certificate: card.der }),
      'signature_malformed',
    );
    expectReason(
      t,
      verifyChallengeSignature({ tbs: TBS, signature: '!!not base64!!', certificate: card.der }),
      'signature_malformed',
    );
    expectReason(
      t,
      verifyChallengeSignature({ tbs: TBS, signature: 'QUJD', certificate: card.der }),
      'signature_malformed',
    );
    const cms = createCmsSignature({ content: TBS, certificatePem: card.pem, privateKeyPem: card.key.privatePem });
    for (let n = 1; n < cms.length; n += 13) {
      const r = verifyChallengeSignature({
        tbs: TBS,
        signature: cms.subarray(0, n),
        certificate: card.der,
        format: 'cms',
      });
      t.equal(r.ok, false, `first ${n} bytes`);
    }
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(cms);
      bytes[(i * 31) % bytes.length] ^= 0xff;
      const r = verifyChallengeSignature({ tbs: TBS, signature: bytes, certificate: card.der });
      t.equal(typeof (r.ok ? 'ok' : r.reason), 'string');
    }
  },
);

t.test('a certificate that does not parse is reported as such', async (t) => {
  expectReason(
    t,
    verifyChallengeSignature({ tbs: TBS, signature: 'AAAA', certificate: 'nope' }),
    'certificate_malformed',
  );
});

t.test('a signature over the same text with a trailing newline is not accepted', async (t) => {
  const sig = createPkcs1Signature(TBS + '\n', card.key.privatePem);
  expectReason(t, verifyChallengeSignature({ tbs: TBS, signature: sig, certificate: card.der }), 'signature_invalid');
});
