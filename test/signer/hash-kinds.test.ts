// Hash kinds (SHA1, SHA256, SHA384, SHA512) and signature types (PKCS1, PKCS7, RAW) of the HiPKI /sign, each
// checked by openssl; and the portal's own verifier, which must still refuse what the signer makes with SHA-1.
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { HASH_OID } from '../../signer/digests.js';
import { der, verifyChallengeSignature } from '../../server/pki/index.js';

const { oid } = der;
import { startSigner, type RunningSigner } from '../../signer/server.js';
import {
  challenge,
  copyCard,
  derFromPem,
  makeTestCard,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
  postForm,
} from './fixtures.js';

const card = makeTestCard();
const HASHES = ['SHA1', 'SHA256', 'SHA384', 'SHA512'] as const;
const opensslName = (hash: string) => hash.toLowerCase();

async function signer(t: Test): Promise<RunningSigner> {
  const running = await startSigner({ port: 0, allowOrigins: [PORTAL], p12: [copyCard(card.p12)] });
  t.teardown(() => running.close());
  return running;
}

async function sign(s: RunningSigner, fields: Record<string, unknown>): Promise<Record<string, any>> {
  const pkg = JSON.stringify({ func: 'MakeSignature', tbsEncoding: 'NONE', pin: PIN, ...fields });
  return JSON.parse((await postForm(`${s.url}/sign`, { tbsPackage: pkg }, { Origin: PORTAL })).body);
}

t.test('PKCS1 signs the text with each hash kind, verified by openssl', async (t) => {
  const s = await signer(t);
  const text = challenge().text;
  for (const hash of HASHES) {
    const answer = await sign(s, { tbs: encodeURIComponent(text), hashAlgorithm: hash, signatureType: 'PKCS1' });
    t.equal(answer.ret_code, 0, hash);
    t.ok(
      opensslVerifyPkcs1(card.signPub, Buffer.from(text), Buffer.from(answer.signature, 'base64'), opensslName(hash)),
      `${hash} verifies`,
    );
  }
});

t.test('PKCS7 makes SignedData with each hash kind as its digest algorithm, verified by openssl', async (t) => {
  const s = await signer(t);
  const text = challenge().text;
  for (const hash of HASHES) {
    const answer = await sign(s, { tbs: encodeURIComponent(text), hashAlgorithm: hash, signatureType: 'PKCS7' });
    const der = Buffer.from(answer.signature, 'base64');
    t.ok(der.includes(oid(HASH_OID[opensslName(hash) as keyof typeof HASH_OID])), `${hash} is the digest algorithm`);
    const verified = opensslVerifyCms(der);
    t.ok(verified.ok, `${hash} verifies`);
    t.equal(verified.content.toString(), text);
  }
});

t.test('RAW signs a hash the caller computed: the signature verifies over the original content', async (t) => {
  const s = await signer(t);
  const file = Buffer.from('%PDF-1.7 a document to sign\n');
  for (const hash of HASHES) {
    const hashed = createHash(opensslName(hash)).update(file).digest('base64');
    const answer = await sign(s, { tbs: hashed, tbsEncoding: 'base64', hashAlgorithm: hash, signatureType: 'RAW' });
    t.equal(answer.ret_code, 0, hash);
    t.equal(answer.signatureType, 'RAW');
    t.ok(
      opensslVerifyPkcs1(card.signPub, file, Buffer.from(answer.signature, 'base64'), opensslName(hash)),
      `${hash} verifies over the file`,
    );
  }
});

t.test('RAW refuses a value that is not a hash of the named kind', async (t) => {
  const s = await signer(t);
  const answer = await sign(s, {
    tbs: Buffer.alloc(20).toString('base64'),
    tbsEncoding: 'base64',
    hashAlgorithm: 'SHA256',
    signatureType: 'RAW',
  });
  t.equal(answer.ret_code, 0x7600000c);
  t.notOk('signature' in answer);
});

t.test('hash kinds other than SHA-1 and SHA-2 are refused', async (t) => {
  const s = await signer(t);
  for (const hash of ['MD5', 'SHA224', 'SHA3-256']) {
    t.equal(
      (await sign(s, { tbs: 'x', hashAlgorithm: hash, signatureType: 'PKCS1' })).error,
      'unsupported_algorithm',
      hash,
    );
  }
});

t.test("the portal's verifier refuses the signer's SHA-1 signatures and accepts its SHA-256 ones", async (t) => {
  const s = await signer(t);
  const text = challenge().text;
  const certificate = derFromPem(card.signCert);
  const verify = async (hash: string, signatureType: string) => {
    const answer = await sign(s, { tbs: encodeURIComponent(text), hashAlgorithm: hash, signatureType });
    return verifyChallengeSignature({ tbs: text, signature: answer.signature, certificate });
  };
  t.same(await verify('SHA256', 'PKCS1'), { ok: true, format: 'pkcs1' });
  t.equal((await verify('SHA256', 'PKCS7')).ok, true);
  const pkcs1 = await verify('SHA1', 'PKCS1');
  t.equal(pkcs1.ok, false, 'PKCS#1 over SHA-1 refused');
  const cms = await verify('SHA1', 'PKCS7');
  t.equal(cms.ok ? 'ok' : cms.reason, 'signature_weak_algorithm', 'CMS with SHA-1 refused as a weak algorithm');
});
