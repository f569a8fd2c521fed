// The PKCS#11 back end against SoftHSM2 over real sockets: the card's key and certificates on a token,
// signing with the right PIN, the wrong PIN and a locked token, through all three channels.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import {
  challenge,
  connectWs,
  derFromPem,
  formFields,
  http,
  makeTestCard,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
  postForm,
  tempDir,
} from './fixtures.js';
import { createSoftHsm, findSoftHsm, readPem } from './softhsm.js';

const found = findSoftHsm();
if ('missing' in found) {
  // Under CI the PKCS#11 tests must run: a missing SoftHSM2 is a failure, not a skip.
  if (process.env.CI === 'true') t.fail(`PKCS#11 tests need SoftHSM2: ${found.missing}`);
  else t.plan(0, found.missing);
} else {
  run(found.module);
}

function run(module: string): void {
  const card = makeTestCard();
  const hsm = createSoftHsm(module);
  const signCert = derFromPem(card.signCert);
  const encCert = derFromPem(card.encCert);
  const full = [
    { id: 1, label: 'sign', keyPem: readPem(card.signKey), certDer: signCert },
    { id: 2, label: 'enc', keyPem: readPem(card.encKey), certDer: encCert },
  ];
  const serials: Record<string, string> = {};
  for (const label of ['card-a', 'card-lock', 'card-b']) {
    serials[label] = hsm.initToken(label, PIN);
    hsm.importObjects(label, PIN, full);
  }
  serials['card-enc'] = hsm.initToken('card-enc', PIN);
  hsm.importObjects('card-enc', PIN, [full[1]]);

  async function signer(t: Test, stateDir = tempDir('sw-signer-state-'), slot?: number): Promise<RunningSigner> {
    const running = await startSigner({ port: 0, allowOrigins: [PORTAL], pkcs11: { module, slot }, stateDir });
    t.teardown(() => running.close());
    return running;
  }

  const wsSign = (overrides: Record<string, unknown>) => ({
    id: 1,
    type: 'sign',
    tbs: challenge().text,
    hashAlgorithm: 'SHA256',
    signatureType: 'PKCS1',
    pin: PIN,
    cardSerial: serials['card-a'],
    ...overrides,
  });

  t.test(
    '/pkcs11info lists every reader: the tokens with their serials and both certificates, the card in use first, the spare slot without a token',
    async (t) => {
      const s = await signer(t);
      const info = JSON.parse((await http(`${s.url}/pkcs11info?withcert=true`, { headers: { Origin: PORTAL } })).body);
      t.equal(info.ret_code, 0);
      const tokens = info.slots.map((slot: { token?: unknown }) => slot.token);
      t.equal(tokens.at(-1), undefined, 'the uninitialised spare slot is a reader without a card, listed last');
      t.match(info.slots.at(-1).slotDescription, /\S/, 'the empty reader keeps its description');
      t.equal(
        tokens[0].serialNumber,
        (await s.service.cardInUse())?.serial,
        'the card used by default is listed first, where clients look',
      );
      t.match(info.libraryDescription, /\S/, "the module's own description (C_GetInfo)");
      t.match(info.libraryVersion, /^\d+\.\d+$/);
      const a = tokens.find((tk: { serialNumber: string } | undefined) => tk?.serialNumber === serials['card-a']);
      t.equal(a.label, 'card-a');
      t.same(a.certs.map((c: { usage: string }) => c.usage).sort(), [
        'digitalSignature',
        'keyEncipherment|dataEncipherment',
      ]);
      const signing = a.certs.find((c: { usage: string }) => c.usage === 'digitalSignature');
      t.equal(signing.id, Buffer.from([1]).toString('base64'), 'CKA_ID in base64, as keyidb64 matches it');
      t.same(Buffer.from(signing.certb64, 'base64'), signCert);
      t.type(a.flags, 'number', 'the token flags are reported');
    },
  );

  t.test('WebSocket: the right PIN signs PKCS#1 on the token, verified by openssl', async (t) => {
    const s = await signer(t);
    const ws = await connectWs(s.url, PORTAL);
    t.teardown(() => ws.close());
    const message = wsSign({});
    const answer = await ws.request(message);
    t.notOk(answer.error, String(answer.message ?? ''));
    t.equal(answer.cardSerial, serials['card-a']);
    t.same(Buffer.from(answer.certificate as string, 'base64'), signCert);
    t.ok(
      opensslVerifyPkcs1(
        card.signPub,
        Buffer.from(message.tbs as string),
        Buffer.from(answer.signature as string, 'base64'),
      ),
    );
  });

  t.test('WebSocket: CMS SignedData whose signed attributes the token signed, verified by openssl', async (t) => {
    const s = await signer(t);
    const ws = await connectWs(s.url, PORTAL);
    t.teardown(() => ws.close());
    const message = wsSign({ signatureType: 'PKCS7' });
    const answer = await ws.request(message);
    const verified = opensslVerifyCms(Buffer.from(answer.signature as string, 'base64'));
    t.ok(verified.ok);
    t.equal(verified.content.toString(), message.tbs);
  });

  t.test('HiPKI /sign: a detached CMS signature and the card serial', async (t) => {
    const s = await signer(t);
    const tbs = challenge().text;
    const res = await postForm(
      `${s.url}/sign`,
      {
        tbsPackage: JSON.stringify({
          tbs: encodeURIComponent(tbs),
          hashAlgorithm: 'SHA256',
          pin: PIN,
          signatureType: 'PKCS7',
          func: 'MakeSignature',
          detached: true,
          cardSN: serials['card-a'],
        }),
      },
      { Origin: PORTAL },
    );
    const json = JSON.parse(res.body);
    t.equal(json.ret_code, 0);
    t.equal(json.cardSN, serials['card-a']);
    t.ok(opensslVerifyCms(Buffer.from(json.signature, 'base64'), Buffer.from(tbs)).ok);
  });

  t.test('no-JS: the page posts back a signature made on the token', async (t) => {
    const s = await signer(t);
    const c = challenge();
    const res = await postForm(
      `${s.url}/nojs/sign`,
      {
        tbs: c.text,
        nonce: c.nonce,
        returnUrl: `${PORTAL}/register/certificate/callback`,
        pin: PIN,
        lang: 'en',
        cardSerial: serials['card-a'],
      },
      { Origin: PORTAL },
    );
    t.match(res.body, /Certificate loaded\./);
    const back = formFields(res.body);
    t.equal(back.cardSerial, serials['card-a']);
    t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(c.text), Buffer.from(back.signature, 'base64')));
  });

  t.test(
    'a wrong PIN answers tries left; the third locks the token, also across restarts, though SoftHSM2 never locks',
    async (t) => {
      const stateDir = tempDir('sw-signer-state-');
      const s = await signer(t, stateDir);
      const ws = await connectWs(s.url, PORTAL);
      const lockSerial = serials['card-lock'];
      const first = await ws.request(wsSign({ pin: '654321', cardSerial: lockSerial }));
      t.equal(first.error, 'wrong_pin');
      t.equal(first.triesLeft, 2);
      t.equal(first.lastError, 0xa0);
      t.equal((await ws.request(wsSign({ pin: '654321', cardSerial: lockSerial }))).triesLeft, 1);
      const third = await ws.request(wsSign({ pin: '654321', cardSerial: lockSerial }));
      t.equal(third.error, 'locked');
      t.equal(third.lastError, 0xa4);
      t.equal((await ws.request(wsSign({ cardSerial: lockSerial }))).error, 'locked', 'the right PIN is refused too');
      t.notOk((await ws.request(wsSign({ cardSerial: serials['card-b'] }))).error, 'another token is not affected');
      ws.close();
      const state = JSON.parse(readFileSync(join(stateDir, 'pkcs11-pin-state.json'), 'utf8'));
      t.equal(state[lockSerial].failures, 3);
      t.notMatch(JSON.stringify(state), /654321|123456/, 'no PIN in the state file');
      await s.close();

      const again = await signer(t, stateDir);
      const res = await postForm(
        `${again.url}/sign`,
        { tbsPackage: JSON.stringify({ tbs: 'hello', pin: PIN, func: 'MakeSignature', cardSN: lockSerial }) },
        { Origin: PORTAL },
      );
      const json = JSON.parse(res.body);
      t.equal(json.error, 'locked');
      t.equal(json.last_error, 0xa4);
    },
  );

  t.test('a right PIN after a wrong one resets the count', async (t) => {
    const stateDir = tempDir('sw-signer-state-');
    const s = await signer(t, stateDir);
    const ws = await connectWs(s.url, PORTAL);
    t.teardown(() => ws.close());
    await ws.request(wsSign({ pin: '654321', cardSerial: serials['card-b'] }));
    t.notOk((await ws.request(wsSign({ cardSerial: serials['card-b'] }))).error);
    t.equal((await ws.request(wsSign({ pin: '654321', cardSerial: serials['card-b'] }))).triesLeft, 2);
    await ws.request(wsSign({ cardSerial: serials['card-b'] }));
  });

  t.test('a token holding only the encryption certificate refuses to sign', async (t) => {
    const s = await signer(t);
    const ws = await connectWs(s.url, PORTAL);
    t.teardown(() => ws.close());
    const answer = await ws.request(wsSign({ cardSerial: serials['card-enc'] }));
    t.equal(answer.error, 'no_signing_certificate');
    t.notOk(answer.signature);
  });

  t.test('an origin off the allow-list is refused before the token is touched', async (t) => {
    const stateDir = tempDir('sw-signer-state-');
    const s = await signer(t, stateDir);
    const res = await postForm(
      `${s.url}/sign`,
      { tbsPackage: JSON.stringify({ tbs: 'hello', pin: '654321', cardSN: serials['card-a'] }) },
      { Origin: 'https://evil.example' },
    );
    t.equal(JSON.parse(res.body).ret_code, 0x76000031);
    t.notOk(existsSync(join(stateDir, 'pkcs11-pin-state.json')), 'no PIN try was counted');
  });

  t.test(
    'a slot that does not exist means no reader; a missing module fails to start with a clear message',
    async (t) => {
      const s = await signer(t, undefined, 99);
      const ws = await connectWs(s.url, PORTAL);
      t.teardown(() => ws.close());
      t.equal((await ws.request(wsSign({}))).error, 'no_reader');
      await t.rejects(
        startSigner({ port: 0, pkcs11: { module: join(hsm.dir, 'nothing.so') } }),
        /cannot load the PKCS#11 module/,
      );
    },
  );
}
