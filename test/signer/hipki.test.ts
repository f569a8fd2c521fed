// The HiPKI-compatible HTTP API over real sockets with a PKCS#12 soft card.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import {
  challenge,
  copyCard,
  derFromPem,
  http,
  makeTestCard,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
  postForm,
  tempDir,
} from './fixtures.js';

const card = makeTestCard();

async function signer(t: Test, p12: string[] = [copyCard(card.p12)]): Promise<RunningSigner> {
  const running = await startSigner({ port: 0, allowOrigins: [PORTAL], p12 });
  t.teardown(() => running.close());
  return running;
}

function tbsPackage(overrides: Record<string, unknown> = {}, tbs = challenge().text): string {
  return JSON.stringify({
    tbs: encodeURIComponent(tbs),
    tbsEncoding: 'NONE',
    hashAlgorithm: 'SHA256',
    pin: encodeURIComponent(PIN),
    signatureType: 'PKCS1',
    func: 'MakeSignature',
    ...overrides,
  });
}

async function sign(s: RunningSigner, pkg: string, origin: string | null = PORTAL, extra: Record<string, string> = {}) {
  const res = await postForm(`${s.url}/sign`, { tbsPackage: pkg, ...extra }, origin ? { Origin: origin } : {});
  return { res, json: JSON.parse(res.body) as Record<string, unknown> };
}

t.test('/pkcs11info lists the soft card in the real shape, with certificates on ?withcert=true', async (t) => {
  const file = copyCard(card.p12);
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [
      {
        p12File: file,
        cardSerial: 'TP03000000000001',
        signingCertFile: card.signCert,
        encryptionCertFile: card.encCert,
        caCertFiles: [card.caCert],
      },
    ],
  });
  t.teardown(() => s.close());
  const res = await http(`${s.url}/pkcs11info?withcert=true`, { headers: { Origin: PORTAL } });
  t.equal(res.status, 200);
  t.equal(res.headers['access-control-allow-origin'], PORTAL);
  const info = JSON.parse(res.body);
  t.equal(info.func, 'pkcs11info');
  t.equal(info.ret_code, 0);
  t.equal(info.serverVersion, '1.3.8');
  t.equal(info.libraryDescription, 'sw-signer PKCS#12 soft card');
  t.match(info.libraryVersion, /^\d+\.\d+$/);
  const token = info.slots[0].token;
  t.equal(token.serialNumber, 'TP03000000000001');
  t.same(
    token.certs.map((c: { usage: string }) => c.usage),
    ['digitalSignature', 'keyEncipherment|dataEncipherment', 'keyCertSign|cRLSign'],
  );
  const [signing, , ca] = token.certs;
  t.equal(signing.subjectDN, 'C=TW,CN=王小明,serialNumber=0000000112831644', 'DN parts joined with a comma');
  t.equal(signing.issuerDN, 'C=TW,O=Demo CA,CN=Demo MOICA');
  t.equal(signing.subjectCN, '王小明');
  t.equal(signing.subjectID, '0000000112831644');
  t.equal(signing.email, '');
  t.match(signing.sn, /^[0-9A-F]+$/);
  t.match(signing.notBefore, /^\d{12}Z$/);
  t.match(signing.notAfter, /^\d{12}Z$/);
  t.equal(signing.notAfterT, Math.floor(Date.parse(new X509Certificate(derFromPem(card.signCert)).validTo) / 1000));
  t.equal(Buffer.from(signing.id, 'base64').length, 20, 'the key id (SHA-1 of the public key) in base64');
  t.equal(signing.label, '王小明');
  t.same(Buffer.from(signing.certb64, 'base64'), derFromPem(card.signCert));
  t.same(Buffer.from(ca.certb64, 'base64'), derFromPem(card.caCert), "the card's CA certificate");
  const plain = JSON.parse((await http(`${s.url}/pkcs11info`, { headers: { Origin: PORTAL } })).body);
  t.notOk('certb64' in plain.slots[0].token.certs[0], 'no certificate bytes without withcert');
});

t.test('/pkcs11info shows one reader with the card in use, not every soft card', async (t) => {
  const other = makeTestCard();
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [
      { p12File: copyCard(card.p12), cardSerial: 'TP03000000000001', signingCertFile: card.signCert },
      { p12File: copyCard(other.p12), cardSerial: 'TP03000000000002', signingCertFile: other.signCert },
    ],
    insertedCard: 'TP03000000000002',
  });
  t.teardown(() => s.close());
  const info = JSON.parse((await http(`${s.url}/pkcs11info`, { headers: { Origin: PORTAL } })).body);
  t.same(
    info.slots.map((slot: { token: { serialNumber: string } }) => slot.token.serialNumber),
    ['TP03000000000002'],
  );
});

t.test(
  '/sign signs with the card in the reader the package names (slotDescription), else the card in use',
  async (t) => {
    const other = makeTestCard();
    const s = await startSigner({
      port: 0,
      allowOrigins: [PORTAL],
      p12: [
        { p12File: copyCard(card.p12), cardSerial: 'TP03000000000001', signingCertFile: card.signCert },
        { p12File: copyCard(other.p12), cardSerial: 'TP03000000000002', signingCertFile: other.signCert },
      ],
      insertedCard: 'TP03000000000002',
    });
    t.teardown(() => s.close());
    t.equal((await sign(s, tbsPackage())).json.cardSN, 'TP03000000000002', 'no reader named: the card in use');
    t.equal((await sign(s, tbsPackage({ slotDescription: '' }))).json.cardSN, 'TP03000000000002');
    const tbs = challenge().text;
    const named = (await sign(s, tbsPackage({ slotDescription: 'Soft card reader 0' }, tbs))).json;
    t.equal(named.cardSN, 'TP03000000000001', 'the card in the named reader');
    t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(tbs), Buffer.from(named.signature as string, 'base64')));
    t.equal((await sign(s, tbsPackage({ slotDescription: 'No such reader' }))).json.ret_code, 0x76000006);
  },
);

t.test(
  '/pkcs11info with a reader but no card answers 0x76000006, the empty reader listed without a token',
  async (t) => {
    const s = await signer(t, [`${card.dir}/missing.p12`]);
    const info = JSON.parse((await http(`${s.url}/pkcs11info`, { headers: { Origin: PORTAL } })).body);
    t.equal(info.ret_code, 0x76000006);
    t.same(info.slots, [{ slotDescription: 'Soft card reader 0' }]);
  },
);

t.test(
  '/pkcs11info answers a site off the allow-list with HTTP 200, ret_code 0x76000031 and no CORS header',
  async (t) => {
    const s = await signer(t);
    const res = await http(`${s.url}/pkcs11info`, { headers: { Origin: 'https://evil.example' } });
    t.equal(res.status, 200);
    t.equal(res.headers['access-control-allow-origin'], undefined);
    const answer = JSON.parse(res.body);
    t.equal(answer.ret_code, 0x76000031);
    t.equal(answer.message, '此網站未受信任，憑證元件拒絕為它簽章。');
    t.same(answer.slots, [], 'no reader or card is shown');
  },
);

t.test('/pkcs11info with no reader answers 0x76100003 and no slots', async (t) => {
  const s = await signer(t, []);
  const info = JSON.parse((await http(`${s.url}/pkcs11info`)).body);
  t.equal(info.ret_code, 0x76100003);
  t.same(info.slots, []);
});

t.test('a CORS preflight is answered only for allow-listed origins', async (t) => {
  const s = await signer(t);
  const ok = await http(`${s.url}/sign`, {
    method: 'OPTIONS',
    headers: {
      Origin: PORTAL,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Private-Network': 'true',
    },
  });
  t.equal(ok.status, 204);
  t.equal(ok.headers['access-control-allow-origin'], PORTAL);
  t.equal(ok.headers['access-control-allow-private-network'], 'true');
  const refused = await http(`${s.url}/sign`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
  t.equal(refused.status, 403);
  t.equal(refused.headers['access-control-allow-origin'], undefined);
});

t.test('/sign makes a PKCS#1 signature openssl verifies, with the signing certificate and card serial', async (t) => {
  const s = await signer(t);
  const tbs = challenge().text;
  const { res, json } = await sign(s, tbsPackage({}, tbs));
  t.equal(res.headers['access-control-allow-origin'], PORTAL);
  t.equal(json.ret_code, 0);
  t.equal(json.last_error, 0);
  t.equal(json.func, 'sign');
  t.equal(json.version, '2.3.2', "the component's version, as version checks read it");
  t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(tbs), Buffer.from(json.signature as string, 'base64')));
  t.same(Buffer.from(json.certb64 as string, 'base64'), derFromPem(card.signCert));
  t.match(json.cardSN, /^P12[0-9A-F]{13}$/);
});

t.test('/sign makes CMS SignedData, attached or detached, that openssl verifies', async (t) => {
  const s = await signer(t);
  const tbs = challenge().text;
  const attached = (await sign(s, tbsPackage({ signatureType: 'PKCS7' }, tbs))).json;
  const a = opensslVerifyCms(Buffer.from(attached.signature as string, 'base64'));
  t.ok(a.ok);
  t.equal(a.content.toString(), tbs);
  t.match(a.signerCert, /BEGIN CERTIFICATE/);
  const detached = (await sign(s, tbsPackage({ signatureType: 'PKCS7', detached: true }, tbs))).json;
  t.notOk(opensslVerifyCms(Buffer.from(detached.signature as string, 'base64')).ok, 'needs its content');
  t.ok(opensslVerifyCms(Buffer.from(detached.signature as string, 'base64'), Buffer.from(tbs)).ok);
});

t.test('/sign takes base64 content and a JSON body too', async (t) => {
  const s = await signer(t);
  const bytes = Buffer.from([0, 1, 2, 250, 251]);
  const { json } = await sign(s, tbsPackage({ tbs: bytes.toString('base64'), tbsEncoding: 'base64' }));
  t.ok(opensslVerifyPkcs1(card.signPub, bytes, Buffer.from(json.signature as string, 'base64')));
  const res = await http(`${s.url}/sign`, {
    method: 'POST',
    headers: { Origin: PORTAL, 'Content-Type': 'application/json' },
    body: tbsPackage(),
  });
  t.equal(JSON.parse(res.body).ret_code, 0);
});

t.test('/sign answers HiPKI codes for every failure', async (t) => {
  const s = await signer(t);
  const cases: Array<[string, ReturnType<typeof sign>, number, number?]> = [
    ['site not trusted', sign(s, tbsPackage(), 'https://evil.example'), 0x76000031],
    ['no Origin at all', sign(s, tbsPackage(), null), 0x76000031],
    ['challenge of another origin', sign(s, tbsPackage({}, challenge('https://other.example').text)), 0x76000031],
    ['no PIN', sign(s, tbsPackage({ pin: '' })), 0x76000998],
    ['bad PIN format', sign(s, tbsPackage({ pin: '12' })), 0x76100006],
    ['no tbs', sign(s, tbsPackage({ tbs: '' })), 0x76000003],
    ['bad JSON', sign(s, '{"tbs": '), 0x7600000b],
    ['unknown func', sign(s, tbsPackage({ func: 'changeUserPINCode' })), 0x7600000e],
    ['MD5', sign(s, tbsPackage({ hashAlgorithm: 'MD5' })), 0x7600000c],
    ['unknown signature type', sign(s, tbsPackage({ signatureType: 'XML' })), 0x7600000c],
    ['tbs too large', sign(s, tbsPackage({ tbs: 'x'.repeat(64 * 1024 + 1) })), 0x7600000a],
  ];
  for (const [name, pending, code] of cases) {
    const { res, json } = await pending;
    t.equal(res.status, 200, `${name}: HTTP 200, the outcome in ret_code`);
    t.equal(json.ret_code, code, name);
    t.match(json.message, /\S/, `${name}: with a message`);
    t.notOk('signature' in json, `${name}: no signature`);
  }
  const refused = await sign(s, tbsPackage(), 'https://evil.example');
  t.equal(refused.res.status, 200);
  t.equal(refused.res.headers['access-control-allow-origin'], undefined);
  const decrypt = (await sign(s, tbsPackage({ func: 'DecryptData' }))).json;
  t.equal(decrypt.func, 'decrypt', 'answered with the func the decryptData sample waits for');
  t.equal(decrypt.ret_code, 0x7600000e, '不支援的方法');
  t.equal((await sign(s, tbsPackage({ func: 'changeUserPINCode' }))).json.func, 'changeUserPINCode');
});

t.test(
  '/sign reports a wrong PIN as 0x76100006 with the tries left in last_error, then the lock as 0xA4',
  async (t) => {
    const s = await signer(t);
    const first = (await sign(s, tbsPackage({ pin: '654321' }))).json;
    t.equal(first.ret_code, 0x76100006, 'IC卡登入失敗');
    t.equal(first.last_error, -2147483646, 'two tries left: 0x80000002 as the signed number clients compare with');
    t.equal(first.triesLeft, 2);
    t.match(first.message, /PIN碼錯誤。還可以再試 2 次/);
    t.equal(first.message2, 'PIN碼錯誤，剩餘兩次機會', 'the reason of last_error');
    const second = (await sign(s, tbsPackage({ pin: '654321' }))).json;
    t.equal(second.last_error, -2147483647, 'one try left (0x80000001)');
    t.equal(second.message2, 'PIN碼錯誤，剩餘一次機會');
    const third = (await sign(s, tbsPackage({ pin: '654321' }))).json;
    t.equal(third.ret_code, 0x76100006);
    t.equal(third.last_error, 0xa4, 'CKR_PIN_LOCKED');
    t.equal(third.message2, '已鎖卡');
    t.equal(third.error, 'locked');
    t.equal((await sign(s, tbsPackage())).json.last_error, 0xa4);
  },
);

t.test('/sign reports a PIN of the wrong format as 0x76100006 with the reason the card would give', async (t) => {
  const s = await signer(t);
  t.equal((await sign(s, tbsPackage({ pin: '12' }))).json.last_error, 0xa2, 'CKR_PIN_LEN_RANGE');
  t.equal((await sign(s, tbsPackage({ pin: '12345!' }))).json.last_error, 0xa1, 'CKR_PIN_INVALID');
});

t.test('/sign messages follow the language the package names', async (t) => {
  const s = await signer(t);
  t.equal(
    (await sign(s, tbsPackage({ pin: '', lang: 'en' }))).json.message,
    "No PIN was entered. Enter the card's PIN.",
  );
});

t.test('/sign with no card answers 0x76000006', async (t) => {
  const s = await signer(t, [`${card.dir}/missing.p12`]);
  t.equal((await sign(s, tbsPackage())).json.ret_code, 0x76000006);
});

t.test("the signer's own popup signs for its opener's origin, only when that is allowed", async (t) => {
  const s = await signer(t);
  const self = s.url;
  const tbs = challenge().text;
  const ok = (await sign(s, tbsPackage({}, tbs), self, { origin: PORTAL })).json;
  t.equal(ok.ret_code, 0);
  const evil = (await sign(s, tbsPackage({}, tbs), self, { origin: 'https://evil.example' })).json;
  t.equal(evil.ret_code, 0x76000031);
  const forged = (await sign(s, tbsPackage({}, tbs), 'https://evil.example', { origin: PORTAL })).json;
  t.equal(forged.ret_code, 0x76000031, 'only the popup may name its opener');
});

t.test('/popupForm is a page whose script is a separate file', async (t) => {
  const s = await signer(t);
  const res = await http(`${s.url}/popupForm`);
  t.equal(res.status, 200);
  t.match(res.body, /<script src="\/popup.js"><\/script>/);
  t.notMatch(res.body, /<script>/);
  t.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  const script = await http(`${s.url}/popup.js`);
  t.match(String(script.headers['content-type']), /javascript/);
  t.match(script.body, /getTbs/);
  t.match(script.body, /postMessage\(text, origin\)/, 'the answer goes only to the opener origin');
});

t.test('floods get a busy answer and the signer keeps serving', async (t) => {
  let now = 1_000_000;
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [copyCard(card.p12)],
    limits: { perSecond: 5, maxConcurrent: 2, now: () => now },
  });
  t.teardown(() => s.close());
  const answers = await Promise.all(Array.from({ length: 20 }, () => sign(s, tbsPackage())));
  const codes = answers.map((a) => a.json.ret_code);
  t.ok(codes.includes(0), 'some were signed');
  t.ok(codes.includes(0x76000997), 'some were told to wait');
  t.ok(answers.some((a) => a.res.status === 429));
  now += 1000; // a second later the bucket is full again
  t.equal((await sign(s, tbsPackage())).json.ret_code, 0, 'serving again');
});

t.test('a PKCS#12 file that encrypts its certificates shows them once the PIN has opened it', async (t) => {
  const s = await signer(t);
  const before = JSON.parse((await http(`${s.url}/pkcs11info`)).body);
  t.same(before.slots[0].token.certs, []);
  await sign(s, tbsPackage());
  const after = JSON.parse((await http(`${s.url}/pkcs11info`)).body);
  t.same(after.slots[0].token.certs.map((c: { usage: string }) => c.usage).sort(), [
    'digitalSignature',
    'keyEncipherment|dataEncipherment',
  ]);
});

t.test('POST /pkcs11info answers as GET does, withcert from the form or the query', async (t) => {
  const file = copyCard(card.p12);
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [{ p12File: file, signingCertFile: card.signCert, encryptionCertFile: card.encCert }],
  });
  t.teardown(() => s.close());
  const form = JSON.parse((await postForm(`${s.url}/pkcs11info`, { withcert: 'true' }, { Origin: PORTAL })).body);
  t.equal(form.func, 'pkcs11info');
  t.equal(form.ret_code, 0);
  t.ok(form.slots[0].token.certs.every((c: { certb64?: string }) => c.certb64));
  const query = JSON.parse(
    (await http(`${s.url}/pkcs11info?withcert=true`, { method: 'POST', headers: { Origin: PORTAL } })).body,
  );
  t.ok(query.slots[0].token.certs[0].certb64);
  const plain = JSON.parse(
    (
      await http(`${s.url}/pkcs11info`, {
        method: 'POST',
        headers: { Origin: PORTAL, 'Content-Type': 'application/json' },
        body: '{}',
      })
    ).body,
  );
  t.notOk('certb64' in plain.slots[0].token.certs[0]);
});

t.test('/addDomain refuses a post that does not come from its own confirmation page', async (t) => {
  const s = await signer(t);
  const res = await postForm(
    `${s.url}/addDomain`,
    { domain: 'https://evil.example', answer: 'add' },
    { Origin: 'https://evil.example' },
  );
  t.equal(res.status, 403);
  t.equal(
    JSON.parse((await sign(s, tbsPackage({}, 'text'), 'https://evil.example')).res.body).ret_code,
    0x76000031,
    'still not trusted',
  );
});

t.test(
  '/addDomain with a host name trusts that site over https on any port, and over http only on this machine',
  async (t) => {
    const stateDir = tempDir('sw-signer-state-');
    const s = await startSigner({ port: 0, allowOrigins: [PORTAL], p12: [copyCard(card.p12)], stateDir });
    t.teardown(() => s.close());
    const page = await http(`${s.url}/addDomain?domain=Portal.Example`, {
      headers: { Referer: 'https://portal.example/x' },
    });
    t.match(page.body, /「portal\.example」/, 'the confirmation names the host name');
    t.match(page.body, /name="opener" value="https:\/\/portal\.example"/, 'the opening page, to post the outcome to');
    const bad = await http(`${s.url}/addDomain?domain=${encodeURIComponent('portal.example/path')}`);
    t.equal(bad.status, 400);
    const added = await postForm(`${s.url}/addDomain`, { domain: 'portal.example', answer: 'add' }, { Origin: s.url });
    t.match(added.body, /data-result="added" data-ret-code="0"/);
    const code = async (origin: string) =>
      JSON.parse((await http(`${s.url}/pkcs11info`, { headers: { Origin: origin } })).body).ret_code;
    t.equal(await code('https://portal.example'), 0);
    t.equal(await code('https://portal.example:8443'), 0, 'any port');
    t.equal(await code('http://portal.example'), 0x76000031, 'not over plain http');
    t.equal(await code('https://www.portal.example'), 0x76000031, 'not another host');
    const saved = JSON.parse(readFileSync(join(stateDir, 'trusted-sites.json'), 'utf8'));
    t.same(saved.domains, ['portal.example']);
    await postForm(`${s.url}/addDomain`, { domain: 'localhost', answer: 'add' }, { Origin: s.url });
    t.equal(await code('http://localhost:3999'), 0, 'http on a loopback name');
  },
);

t.test(
  'callers without Origin or Referer (native programs) are told 0x76000031 by /sign and answered by /pkcs11info',
  async (t) => {
    const s = await signer(t);
    const signed = await sign(s, tbsPackage({}, 'text'), null);
    t.equal(signed.json.ret_code, 0x76000031);
    t.match(signed.json.message, /\S/);
    t.equal(JSON.parse((await http(`${s.url}/pkcs11info`)).body).ret_code, 0);
  },
);
