// The WebSocket channel over real sockets with a PKCS#12 soft card.
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import {
  challenge,
  connectWs,
  copyCard,
  derFromPem,
  makeTestCard,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
} from './fixtures.js';

const card = makeTestCard();

async function signer(t: Test, p12: string[] = [copyCard(card.p12)], now?: () => number): Promise<RunningSigner> {
  const running = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: p12.map((p12File) => ({
      p12File,
      signingCertFile: card.signCert,
      encryptionCertFile: card.encCert,
      cardSerial: 'TP03000000000002',
    })),
    limits: now ? { perSecond: 20, maxConcurrent: 4, now } : undefined,
  });
  t.teardown(() => running.close());
  return running;
}

function signMessage(overrides: Record<string, unknown> = {}) {
  return {
    id: 1,
    type: 'sign',
    tbs: challenge().text,
    hashAlgorithm: 'SHA256',
    signatureType: 'PKCS1',
    pin: PIN,
    ...overrides,
  };
}

t.test('a connection from a site off the allow-list is refused at the upgrade', async (t) => {
  const s = await signer(t);
  await t.rejects(connectWs(s.url, 'https://evil.example'), /upgrade refused: 403/);
  const plain = new WebSocket(s.url.replace('http', 'ws') + '/ws');
  const status = await new Promise((resolve) =>
    plain.once('unexpected-response', (_req, res) => resolve(res.statusCode)),
  );
  t.equal(status, 403, 'no Origin at all');
});

t.test('hello answers the version; listCards the card with both certificates and their usage', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const hello = await ws.request({ id: 'a', type: 'hello' });
  t.equal(hello.id, 'a');
  t.match(hello.version, /^\d+\.\d+\.\d+$/);
  const list = await ws.request({ id: 2, type: 'listCards' });
  t.equal(list.readers, 1);
  const cards = list.cards as Array<{
    cardSerial: string;
    certificates: Array<{ usage: string; certificate: string; commonName: string }>;
  }>;
  t.equal(cards[0].cardSerial, 'TP03000000000002');
  t.same(
    cards[0].certificates.map((c) => c.usage),
    ['signing', 'encryption'],
  );
  t.equal(cards[0].certificates[0].commonName, '王小明');
  t.same(Buffer.from(cards[0].certificates[0].certificate, 'base64'), derFromPem(card.signCert));
});

t.test('sign answers a PKCS#1 signature, the certificate and the card serial', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const message = signMessage();
  const answer = await ws.request(message);
  t.equal(answer.id, 1);
  t.equal(answer.type, 'sign');
  t.notOk('error' in answer);
  t.equal(answer.cardSerial, 'TP03000000000002');
  t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(message.tbs), Buffer.from(answer.signature as string, 'base64')));
  t.same(Buffer.from(answer.certificate as string, 'base64'), derFromPem(card.signCert));
});

t.test('sign answers CMS SignedData for PKCS7', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const message = signMessage({ signatureType: 'PKCS7' });
  const answer = await ws.request(message);
  const verified = opensslVerifyCms(Buffer.from(answer.signature as string, 'base64'));
  t.ok(verified.ok);
  t.equal(verified.content.toString(), message.tbs);
});

t.test('wrong PINs answer tries left, then the lock, in the language asked', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const first = await ws.request(signMessage({ pin: '999999' }));
  t.equal(first.error, 'wrong_pin');
  t.equal(first.triesLeft, 2);
  t.equal(first.lastError, 0xa0);
  t.match(first.message, /還可以再試 2 次/);
  const second = await ws.request(signMessage({ pin: '999999', lang: 'en' }));
  t.match(second.message, /1 try left/);
  const third = await ws.request(signMessage({ pin: '999999' }));
  t.equal(third.error, 'locked');
  t.equal((await ws.request(signMessage())).error, 'locked');
});

t.test('every malformed request gets a clear error and the connection keeps serving', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  t.equal((await ws.request('{not json')).error, 'bad_json');
  t.equal((await ws.request('[1,2]')).error, 'bad_json');
  t.equal((await ws.request({ id: 3, type: 'format-disk' })).error, 'unknown_message');
  t.equal((await ws.request(signMessage({ tbs: '' }))).error, 'tbs_missing');
  t.equal((await ws.request(signMessage({ tbs: 'x'.repeat(64 * 1024 + 1) }))).error, 'tbs_too_large');
  t.equal((await ws.request(signMessage({ hashAlgorithm: 'MD5' }))).error, 'unsupported_algorithm');
  t.equal((await ws.request(signMessage({ tbsEncoding: 'hex' }))).error, 'bad_request');
  t.equal((await ws.request(signMessage({ pin: undefined }))).error, 'no_pin');
  t.equal((await ws.request(signMessage({ pin: 'abc' }))).error, 'bad_pin_format');
  t.equal((await ws.request(signMessage({ cardSerial: 'NOPE' }))).error, 'no_card');
  t.equal((await ws.request(signMessage({ tbs: challenge('https://other.example').text }))).error, 'site_not_trusted');
  const ok = await ws.request(signMessage());
  t.ok(ok.signature, 'still serving');
});

t.test('a message over the size limit closes only that connection', async (t) => {
  const s = await signer(t);
  const ws = await connectWs(s.url, PORTAL);
  const closed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
  ws.ws.send('x'.repeat(300 * 1024));
  t.equal(await closed, 1009);
  const again = await connectWs(s.url, PORTAL);
  t.teardown(() => again.close());
  t.ok((await again.request(signMessage())).signature);
});

t.test('a flood of messages is answered busy and the channel recovers', async (t) => {
  let now = 5_000_000;
  const s = await signer(t, undefined, () => now);
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  for (let i = 0; i < 30; i++) ws.ws.send(JSON.stringify({ id: i, type: 'hello' }));
  const answers = [];
  for (let i = 0; i < 30; i++) answers.push(await ws.next());
  t.ok(answers.some((a) => a.error === 'busy'));
  t.ok(answers.some((a) => a.type === 'hello'));
  now += 2000;
  t.equal((await ws.request({ id: 'x', type: 'hello' })).type, 'hello');
});

t.test('no reader: listCards says so and sign answers no_reader', async (t) => {
  const s = await startSigner({ port: 0, allowOrigins: [PORTAL] });
  t.teardown(() => s.close());
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const list = await ws.request({ type: 'listCards' });
  t.equal(list.readers, 0);
  t.same(list.cards, []);
  t.equal((await ws.request(signMessage())).error, 'no_reader');
});
