// Chains made by the openssl command line (`openssl ca` with fixed dates): the second, independent DER producer.
import t from 'tap';
import type { ChainReason } from '../../server/pki/reasons.js';
import { verifyChain } from '../../server/pki/verify-chain.js';
import { NOW } from './fixtures/forge-certs.js';
import { CA_EXT, INT_EXT, OpensslWorkspace, SIGN_EXT, type OsslCert } from './fixtures/openssl-certs.js';

const w = new OpensslWorkspace();
t.teardown(() => w.cleanup());

const MOICA = '/C=TW/O=行政院/OU=內政部憑證管理中心';
const CARD = '/C=TW/CN=王小明/serialNumber=0000000012345678';
const SDA = [
  '2.5.29.9=ASN1:SEQUENCE:sda',
  '[sda]',
  'a = SEQUENCE:sda_attr',
  '[sda_attr]',
  'type = OID:2.16.886.1.100.2.51',
  'values = SET:sda_vals',
  '[sda_vals]',
  'v = PRINTABLESTRING:6789',
];

const root = w.issue({ subject: '/CN=OpenSSL Test Root', extensions: CA_EXT });
const ca = w.issue({ subject: MOICA, extensions: INT_EXT }, root);

async function verify(
  leaf: OsslCert,
  opts: { intermediates?: OsslCert[]; anchors?: OsslCert[]; time?: Date; purpose?: 'signing' | 'any' } = {},
) {
  return verifyChain({
    leaf: leaf.pem,
    intermediates: (opts.intermediates ?? [ca]).map((c) => c.der),
    anchors: (opts.anchors ?? [root]).map((c) => c.pem),
    time: opts.time ?? NOW,
    purpose: opts.purpose ?? 'signing',
  });
}

t.test('an openssl-made MOICA-like card chains, and its profile is read', async (t) => {
  const card = w.issue(
    { subject: CARD, extensions: [...SIGN_EXT, 'certificatePolicies=2.16.886.101.0.3.3', ...SDA] },
    ca,
  );
  const r = await verify(card);
  t.ok(r.ok, r.ok ? '' : r.detail);
  if (r.ok) {
    t.equal(r.leaf.commonName, '王小明');
    t.equal(r.leaf.idLast4, '6789');
    t.equal(r.leaf.subjectSerialNumber, '0000000012345678');
    t.equal(r.leaf.issuer, 'C=TW, O=行政院, OU=內政部憑證管理中心');
  }
});

t.test('ECDSA P-256 and P-384 chains with SHA-256/384 are accepted', async (t) => {
  const ecRoot = w.issue({ subject: '/CN=EC Root', extensions: CA_EXT, key: 'p384', md: 'sha384' });
  const ecCa = w.issue({ subject: '/CN=EC CA', extensions: INT_EXT, key: 'p256', md: 'sha384' }, ecRoot);
  const leaf = w.issue({ subject: '/CN=EC leaf', extensions: SIGN_EXT, key: 'p256' }, ecCa);
  const r = await verify(leaf, { intermediates: [ecCa], anchors: [ecRoot] });
  t.ok(r.ok, r.ok ? '' : r.detail);
});

t.test('RSASSA-PSS with SHA-256 and an RSA-3072 leaf are accepted', async (t) => {
  const leaf = w.issue(
    {
      subject: '/CN=PSS leaf',
      extensions: SIGN_EXT,
      key: 'rsa3072',
      sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'],
    },
    ca,
  );
  const r = await verify(leaf);
  t.ok(r.ok, r.ok ? '' : r.detail);
});

const refusals: [string, ChainReason, () => Promise<Awaited<ReturnType<typeof verify>>>][] = [
  [
    'a leaf signed with SHA-1 by openssl is a weak algorithm',
    'weak_algorithm',
    async () => verify(w.issue({ subject: '/CN=sha1', extensions: SIGN_EXT, key: 'rsa2048', md: 'sha1' }, ca)),
  ],
  [
    'an openssl leaf with an RSA-1024 key is a weak key',
    'weak_key',
    async () => verify(w.issue({ subject: '/CN=rsa1024', extensions: SIGN_EXT, key: 'rsa1024' }, ca)),
  ],
  [
    'an openssl leaf with a P-521 key is a weak key (outside the allow-list)',
    'weak_key',
    async () => verify(w.issue({ subject: '/CN=p521', extensions: SIGN_EXT, key: 'p521' }, ca)),
  ],
  [
    'an openssl leaf after its end date is expired',
    'expired',
    async () => verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048', endDate: '260201000000Z' }, ca)),
  ],
  [
    'an openssl leaf before its start date is not yet valid',
    'not_yet_valid',
    async () =>
      verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048', startDate: '260401000000Z' }, ca)),
  ],
  [
    'an openssl encryption certificate is refused for signing',
    'leaf_key_usage',
    async () =>
      verify(
        w.issue(
          {
            subject: CARD,
            extensions: [
              'keyUsage=critical,keyEncipherment,dataEncipherment',
              'subjectKeyIdentifier=hash',
              'authorityKeyIdentifier=keyid:always',
            ],
            key: 'rsa2048',
          },
          ca,
        ),
      ),
  ],
  [
    'an openssl intermediate with CA:false is not a CA',
    'not_ca',
    async () => {
      const notCa = w.issue(
        {
          subject: '/CN=Not a CA',
          extensions: [
            'basicConstraints=critical,CA:false',
            'subjectKeyIdentifier=hash',
            'authorityKeyIdentifier=keyid:always',
          ],
        },
        root,
      );
      return verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048' }, notCa), {
        intermediates: [notCa],
      });
    },
  ],
  [
    'an openssl intermediate whose keyUsage lacks keyCertSign fails CA key usage',
    'ca_key_usage',
    async () => {
      const bad = w.issue(
        {
          subject: '/CN=CRL only',
          extensions: [
            'basicConstraints=critical,CA:true',
            'keyUsage=critical,cRLSign',
            'subjectKeyIdentifier=hash',
            'authorityKeyIdentifier=keyid:always',
          ],
        },
        root,
      );
      return verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048' }, bad), { intermediates: [bad] });
    },
  ],
  [
    'two openssl intermediates under pathlen:0 exceed the path length',
    'path_length',
    async () => {
      const low = w.issue({ subject: '/CN=Below pathlen 0', extensions: INT_EXT }, ca);
      return verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048' }, low), {
        intermediates: [ca, low],
      });
    },
  ],
  [
    'an openssl leaf with an unknown critical extension is refused',
    'unknown_critical_extension',
    async () =>
      verify(
        w.issue(
          { subject: CARD, extensions: [...SIGN_EXT, '1.3.6.1.4.1.99999.7=critical,DER:05:00'], key: 'rsa2048' },
          ca,
        ),
      ),
  ],
  [
    'an openssl leaf whose SAN is outside the permitted DNS subtree breaks name constraints',
    'name_constraints',
    async () => {
      const nc = w.issue(
        { subject: '/CN=NC CA', extensions: [...INT_EXT, 'nameConstraints=critical,permitted;DNS:example.tw'] },
        root,
      );
      return verify(
        w.issue(
          { subject: '/CN=leaf', extensions: [...SIGN_EXT, 'subjectAltName=DNS:example.com'], key: 'rsa2048' },
          nc,
        ),
        { intermediates: [nc] },
      );
    },
  ],
  [
    'an openssl leaf with an email outside the excluded-free rfc822 subtree breaks name constraints',
    'name_constraints',
    async () => {
      const nc = w.issue(
        { subject: '/CN=Mail CA', extensions: [...INT_EXT, 'nameConstraints=critical,excluded;email:.example.com'] },
        root,
      );
      return verify(
        w.issue(
          { subject: '/CN=leaf', extensions: [...SIGN_EXT, 'subjectAltName=email:a@mail.example.com'], key: 'rsa2048' },
          nc,
        ),
        { intermediates: [nc] },
      );
    },
  ],
  [
    'an openssl leaf whose URI host is outside the permitted subtree breaks name constraints',
    'name_constraints',
    async () => {
      const nc = w.issue(
        { subject: '/CN=URI CA', extensions: [...INT_EXT, 'nameConstraints=critical,permitted;URI:.gov.tw'] },
        root,
      );
      return verify(
        w.issue(
          {
            subject: '/CN=leaf',
            extensions: [...SIGN_EXT, 'subjectAltName=URI:https://evil.example/x'],
            key: 'rsa2048',
          },
          nc,
        ),
        { intermediates: [nc] },
      );
    },
  ],
  [
    'an openssl leaf whose subject is outside the permitted directoryName breaks name constraints',
    'name_constraints',
    async () => {
      const nc = w.issue(
        {
          subject: '/CN=DN CA',
          extensions: [...INT_EXT, 'nameConstraints=critical,permitted;dirName:dn_tw', '[dn_tw]', 'C=JP'],
        },
        root,
      );
      return verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048' }, nc), { intermediates: [nc] });
    },
  ],
  [
    'an openssl leaf with only serverAuth extended key usage fails the EKU check',
    'eku',
    async () =>
      verify(w.issue({ subject: CARD, extensions: [...SIGN_EXT, 'extendedKeyUsage=serverAuth'], key: 'rsa2048' }, ca)),
  ],
  [
    'an openssl chain whose root is not trusted is untrusted',
    'untrusted',
    async () =>
      verify(w.issue({ subject: CARD, extensions: SIGN_EXT, key: 'rsa2048' }, ca), {
        anchors: [w.issue({ subject: '/CN=Elsewhere', extensions: CA_EXT })],
      }),
  ],
  [
    'an openssl leaf without an authority key identifier breaks the profile',
    'profile_violation',
    async () =>
      verify(
        w.issue(
          {
            subject: CARD,
            extensions: [
              'keyUsage=critical,digitalSignature',
              'authorityKeyIdentifier=none',
              'subjectKeyIdentifier=none',
            ],
            key: 'rsa2048',
          },
          ca,
        ),
      ),
  ],
];

for (const [sentence, reason, run] of refusals) {
  t.test(sentence, async (t) => {
    const r = await run();
    t.equal(r.ok ? 'ok' : r.reason, reason, r.ok ? '' : r.detail);
  });
}

t.test('a leaf inside the permitted directoryName, DNS and email subtrees passes', async (t) => {
  const nc = w.issue(
    {
      subject: '/CN=Permissive CA',
      extensions: [
        ...INT_EXT,
        'nameConstraints=critical,permitted;dirName:dn_tw,permitted;DNS:example.tw,permitted;email:example.tw',
        '[dn_tw]',
        'C=TW',
      ],
    },
    root,
  );
  const leaf = w.issue(
    {
      subject: CARD,
      extensions: [...SIGN_EXT, 'subjectAltName=DNS:www.example.tw,email:a@example.tw'],
      key: 'rsa2048',
    },
    nc,
  );
  const r = await verify(leaf, { intermediates: [nc] });
  t.ok(r.ok, r.ok ? '' : r.detail);
});
