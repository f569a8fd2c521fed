// The MOICA profile read from a card certificate.
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import t from 'tap';
import { parseCertificate, type Certificate } from '../../server/pki/parse.js';
import { MOICA_KEY_IDS, readProfile } from '../../server/pki/profile.js';
import { ext, keyId, makeCard, moicaChain, rsaKey } from './fixtures/forge-certs.js';

const { ca, card, encryption } = moicaChain();
const cert = (der: Buffer): Certificate => {
  const r = parseCertificate(der);
  if (!r.ok) throw new Error(r.detail);
  return r.cert;
};
const T = forge.asn1.Type;

t.test('the holder name, DN serialNumber, ID last four and card serial are read from a card', async (t) => {
  const p = readProfile(cert(card.der));
  t.equal(p.commonName, '王小明');
  t.equal(p.subjectSerialNumber, '0000000012345678');
  t.equal(p.idLast4, '6789');
  t.equal(p.cardSerial, 'TP03000012345678');
  t.equal(p.subject, 'C=TW, CN=王小明, serialNumber=0000000012345678');
  t.equal(p.issuer, 'C=TW, O=行政院, OU=內政部憑證管理中心');
  t.equal(p.moicaIssuer, true);
  t.same(p.policies, ['2.16.886.101.0.3.3']);
});

t.test('a name in BMPString or PrintableString reads the same as in UTF8String', async (t) => {
  t.equal(readProfile(cert(makeCard(ca, { name: '陳大文', nameTag: T.BMPSTRING }).der)).commonName, '陳大文');
  t.equal(
    readProfile(cert(makeCard(ca, { name: 'CHEN TA WEN', nameTag: T.PRINTABLESTRING }).der)).commonName,
    'CHEN TA WEN',
  );
});

t.test('the signing certificate and the encryption certificate are told apart by key usage', async (t) => {
  t.equal(readProfile(cert(card.der)).use, 'signing');
  t.same(readProfile(cert(card.der)).keyUsage, ['digitalSignature']);
  t.equal(readProfile(cert(encryption.der)).use, 'encryption');
  t.same(readProfile(cert(encryption.der)).keyUsage, ['keyEncipherment', 'dataEncipherment']);
});

t.test('the issuer generation is named from the authority key identifier of the real MOICA CAs', async (t) => {
  const ids = { G2: 'fa9b3467090a9822f762488b8226a645c5c322a4', G3: '4720a3b1264bcd6d48acf2640886972c7454115f' };
  for (const [gen, id] of Object.entries(ids)) {
    const k = rsaKey(2048, 3);
    const c = makeCard(ca, {
      extensions: [
        ext.authorityKeyId(Buffer.from(id, 'hex')),
        ext.subjectKeyId(keyId(k)),
        ext.keyUsage([0]),
        ext.moicaDirectoryAttributes('1234'),
      ],
    });
    t.equal(readProfile(cert(c.der)).issuerGeneration, gen);
  }
  t.equal(readProfile(cert(card.der)).issuerGeneration, undefined, 'a demo CA key is no generation');
});

t.test('the MOICA key identifiers are the subject key identifiers of the real MOICA CAs in trust/gpki', async (t) => {
  for (const [file, gen] of [
    ['moica-g1', 'G1'],
    ['moica-g2', 'G2'],
    ['moica-g3', 'G3'],
  ]) {
    const r = parseCertificate(readFileSync(new URL(`../../trust/gpki/${file}.pem`, import.meta.url), 'utf8'));
    if (!r.ok) throw new Error(r.detail);
    t.equal(MOICA_KEY_IDS[r.cert.ext.subjectKeyId!.toString('hex')], gen, file);
  }
});

t.test('an ID last-four attribute that is not four digits is left out', async (t) => {
  const c = makeCard(ca, { idLast4: '12a4' });
  t.equal(readProfile(cert(c.der)).idLast4, undefined);
});

t.test('a certificate without the MOICA fields still has a profile', async (t) => {
  const k = rsaKey(2048, 3);
  const c = makeCard(ca, {
    subject: [{ type: '2.5.4.3', value: 'plain' }],
    extensions: [ext.authorityKeyId(keyId(ca.key)), ext.subjectKeyId(keyId(k))],
  });
  const p = readProfile(cert(c.der));
  t.equal(p.commonName, 'plain');
  t.equal(p.idLast4, undefined);
  t.equal(p.cardSerial, undefined);
  t.equal(p.use, 'other');
});
