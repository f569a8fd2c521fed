// The signer's rate limits over real sockets: a site is checked against the allow-list before it is counted,
// and every allowed site has its own count, so no website can make the signer busy for the portal.
// The clock is fixed: the buckets refill only when a test moves it, so nothing depends on timing.
import t, { type Test } from 'tap';
import { OriginLimiter } from '../../signer/limiter.js';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import { challenge, connectWs, copyCard, http, makeTestCard, PIN, PORTAL, postForm } from './fixtures.js';

const card = makeTestCard();
const EVIL = 'https://evil.example';
const OTHER = 'https://other.example';
const PER_SECOND = 5;
const FLOOD = 4 * PER_SECOND;

async function signer(t: Test, allowOrigins = [PORTAL], extra: { maxOrigins?: number } = {}): Promise<RunningSigner> {
  const now = 1_000_000;
  const running = await startSigner({
    port: 0,
    allowOrigins,
    p12: [copyCard(card.p12)],
    limits: { perSecond: PER_SECOND, maxConcurrent: 4, now: () => now, ...extra },
  });
  t.teardown(() => running.close());
  return running;
}

function tbsPackage(origin = PORTAL): string {
  return JSON.stringify({
    tbs: encodeURIComponent(challenge(origin).text),
    hashAlgorithm: 'SHA256',
    pin: PIN,
    signatureType: 'PKCS1',
    func: 'MakeSignature',
  });
}

async function hipkiSign(s: RunningSigner, origin: string) {
  const res = await postForm(`${s.url}/sign`, { tbsPackage: tbsPackage(origin) }, { Origin: origin });
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}

function nojsForm(origin = PORTAL) {
  const c = challenge(origin);
  return { tbs: c.text, nonce: c.nonce, returnUrl: `${origin}/login/certificate/callback`, pin: PIN, lang: 'zh-TW' };
}

/** Sent one after another, so the test does not depend on how the requests interleave. */
async function inTurn<T>(count: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let i = 0; i < count; i++) answers.push(await send(i));
  return answers;
}

t.test('a foreign site hammering /sign does not make the allowed site busy', async (t) => {
  const s = await signer(t);
  const refused = await inTurn(FLOOD, () => hipkiSign(s, EVIL));
  t.ok(
    refused.every((a) => a.status === 200 && a.json.error === 'site_not_trusted'),
    'every foreign request is refused as untrusted, not busy',
  );
  const answer = await hipkiSign(s, PORTAL);
  t.equal(answer.status, 200);
  t.equal(answer.json.ret_code, 0, 'the portal is signed for at once');
  t.equal(s.service.limiter.trackedOrigins, 1, 'only the allowed site was counted');
});

t.test('a foreign site hammering /nojs/sign does not make the allowed site busy', async (t) => {
  const s = await signer(t);
  const refused = await inTurn(FLOOD, () => postForm(`${s.url}/nojs/sign`, nojsForm(EVIL), { Origin: EVIL }));
  t.ok(refused.every((r) => r.status === 403 && /data-error="site_not_trusted"/.test(r.body)));
  const res = await postForm(`${s.url}/nojs/sign`, nojsForm(), {
    Origin: PORTAL,
    Referer: `${PORTAL}/login/certificate`,
  });
  t.equal(res.status, 200);
  t.match(res.body, /憑證載入完成/);
});

t.test('a return URL on another site is refused without spending the caller a token', async (t) => {
  const s = await signer(t);
  const other = { ...nojsForm(), returnUrl: `${EVIL}/steal` };
  await inTurn(FLOOD, () => postForm(`${s.url}/nojs/sign`, other, { Origin: PORTAL }));
  t.match((await postForm(`${s.url}/nojs/sign`, nojsForm(), { Origin: PORTAL })).body, /憑證載入完成/);
});

t.test('requests without Origin or Referer to /pkcs11info do not make the allowed site busy', async (t) => {
  // A page can leave both headers out (referrerpolicy="no-referrer" on an image): such callers share one count.
  const s = await signer(t);
  const anonymous = await inTurn(FLOOD, () => http(`${s.url}/pkcs11info`));
  t.ok(
    anonymous.some((r) => r.status === 429),
    'the callers without a site are limited among themselves',
  );
  await inTurn(FLOOD, () => http(`${s.url}/pkcs11info`, { headers: { Origin: EVIL } }));
  const info = await http(`${s.url}/pkcs11info`, { headers: { Origin: PORTAL } });
  t.equal(info.status, 200);
  t.equal(JSON.parse(info.body).ret_code, 0);
});

t.test('only the popup of the signer may spend its opener’s count on /pkcs11info', async (t) => {
  const s = await signer(t);
  // Without headers the `origin` parameter is not believed: it counts as a caller without a site.
  await inTurn(FLOOD, () => http(`${s.url}/pkcs11info?origin=${encodeURIComponent(PORTAL)}`));
  const popup = await http(`${s.url}/pkcs11info?origin=${encodeURIComponent(PORTAL)}`, {
    headers: { Referer: `${s.url}/popupForm` },
  });
  t.equal(popup.status, 200);
  t.equal(JSON.parse(popup.body).ret_code, 0);
});

t.test('a foreign site hammering the HTTP API does not make the allowed site’s WebSocket busy', async (t) => {
  const s = await signer(t);
  await inTurn(FLOOD, () => hipkiSign(s, EVIL));
  await inTurn(FLOOD, () => http(`${s.url}/pkcs11info`));
  const ws = await connectWs(s.url, PORTAL);
  t.teardown(() => ws.close());
  const answer = await ws.request({
    id: 1,
    type: 'sign',
    tbs: challenge().text,
    hashAlgorithm: 'SHA256',
    signatureType: 'PKCS1',
    pin: PIN,
  });
  t.equal(answer.error, undefined, 'not busy');
  t.ok(answer.signature);
});

t.test('one allowed site over its rate is busy while another allowed site is still served', async (t) => {
  const s = await signer(t, [PORTAL, OTHER]);
  const flood = await inTurn(FLOOD, () => hipkiSign(s, OTHER));
  t.equal(flood.filter((a) => a.json.ret_code === 0).length, PER_SECOND, 'the flooding site gets its own rate');
  t.ok(
    flood.slice(PER_SECOND).every((a) => a.status === 429 && a.json.error === 'busy'),
    'and then busy answers',
  );
  const portal = await inTurn(PER_SECOND, () => hipkiSign(s, PORTAL));
  t.ok(
    portal.every((a) => a.json.ret_code === 0),
    'the other site gets its whole rate',
  );
  t.equal((await hipkiSign(s, PORTAL)).status, 429, 'and is limited by its own count only');
});

t.test('one allowed site over its rate on the WebSocket leaves another site’s socket served', async (t) => {
  const s = await signer(t, [PORTAL, OTHER]);
  const other = await connectWs(s.url, OTHER);
  t.teardown(() => other.close());
  const flood = await inTurn(FLOOD, () => other.request({ type: 'hello' }));
  t.ok(flood.some((m) => m.error === 'busy'));
  const portal = await connectWs(s.url, PORTAL);
  t.teardown(() => portal.close());
  t.equal((await portal.request({ id: 'p', type: 'hello' })).type, 'hello');
});

t.test('one allowed site cannot take every WebSocket connection', async (t) => {
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL, OTHER],
    p12: [copyCard(card.p12)],
    limits: { perSecond: 20, maxConcurrent: 4, maxConnections: 4 },
  });
  t.teardown(() => s.close());
  const held = await inTurn(2, () => connectWs(s.url, OTHER));
  t.teardown(() => held.forEach((c) => c.close()));
  await t.rejects(connectWs(s.url, OTHER), /upgrade refused: 503/, 'the site has its half');
  const portal = await connectWs(s.url, PORTAL);
  t.teardown(() => portal.close());
  t.equal((await portal.request({ id: 'p', type: 'hello' })).type, 'hello');
});

t.test('refused sites leave no state behind and the tracked origins are capped', async (t) => {
  const allowed = Array.from({ length: 6 }, (_, i) => `https://site${i}.example`);
  const s = await signer(t, allowed, { maxOrigins: 3 });
  await inTurn(30, (i) => hipkiSign(s, `https://evil${i}.example`));
  t.equal(s.service.limiter.trackedOrigins, 0, 'nothing kept for refused sites');
  for (const origin of allowed) t.equal((await hipkiSign(s, origin)).json.ret_code, 0, origin);
  t.equal(s.service.limiter.trackedOrigins, 3);
});

t.test('the limiter forgets the least recently seen origin beyond its cap', async (t) => {
  const limiter = new OriginLimiter({ perSecond: 1, maxConcurrent: 4, maxOrigins: 2, now: () => 0 });
  t.ok(limiter.allowRequest('https://a.example'));
  t.ok(limiter.allowRequest('https://b.example'));
  t.notOk(limiter.allowRequest('https://a.example'), 'a is over its rate and now the most recently seen');
  t.ok(limiter.allowRequest('https://c.example'));
  t.equal(limiter.trackedOrigins, 2);
  t.notOk(limiter.allowRequest('https://a.example'), 'b was forgotten, not a');
});

t.test('card operations in progress are capped per origin as well as in all', async (t) => {
  const limiter = new OriginLimiter({ perSecond: 10, maxConcurrent: 4, now: () => 0 });
  const a = [limiter.begin('https://a.example'), limiter.begin('https://a.example')];
  t.ok(a.every(Boolean));
  t.equal(limiter.begin('https://a.example'), null, 'one site holds at most half');
  const b = [limiter.begin('https://b.example'), limiter.begin('https://b.example')];
  t.ok(b.every(Boolean));
  t.equal(limiter.begin('https://c.example'), null, 'and all sites together at most maxConcurrent');
  a[0]!();
  a[0]!();
  t.ok(limiter.begin('https://c.example'), 'a release frees one slot, once');
  t.equal(limiter.begin('https://c.example'), null);
});
