// GET /readiness over real sockets: the page a portal's certificate page frames before the PIN. It says that the
// signer runs, which card is in the reader (holder and card number) or that there is no reader or card, how to change
// card; only the allowed sites may frame it.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSigner, type StartSignerOptions } from '../../signer/server.js';
import { SIGNER_VERSION } from '../../signer/version.js';
import { copyCard, http, makeTestCard, PORTAL, tempDir } from './fixtures.js';

const card = makeTestCard();
const OTHER_SITE = 'https://portal.example.gov.tw';

async function signer(t: Test, options: Partial<StartSignerOptions> = {}) {
  const running = await startSigner({
    port: 0,
    allowOrigins: [PORTAL, OTHER_SITE],
    stateDir: tempDir('readiness-state-'),
    p12: [{ p12File: copyCard(card.p12), cardSerial: 'TP03000123456789', signingCertFile: card.signCert }],
    ...options,
  });
  t.teardown(() => running.close());
  return running;
}

const fromPortal = { Referer: `${PORTAL}/login/certificate` };

t.test('with a card in the reader: running, its version, the holder and the card number', async (t) => {
  const s = await signer(t);
  const res = await http(`${s.url}/readiness?lang=zh-TW`, { headers: fromPortal });
  t.equal(res.status, 200);
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(res.body, /<html lang="zh-TW">/);
  t.match(res.body, /<title>憑證元件狀態<\/title>/);
  t.match(res.body, /data-state="ready"/);
  t.match(res.body, `憑證元件已啟動</strong>（版本 ${SIGNER_VERSION}）`);
  t.match(res.body, `<dd id="holder">${card.holderName}</dd>`);
  t.match(res.body, '<dd id="card-serial">TP03000123456789</dd>');
  t.match(res.body, /要更換卡片：換插要使用的憑證IC卡/);
  t.match(res.body, /<a href="\/readiness\?lang=zh-TW" id="recheck">重新檢查<\/a>/);
  t.notMatch(res.body, /<script/, 'no script: it works where JavaScript is off');
  t.equal(res.headers['cache-control'], 'no-store', 'always the card of now');
});

t.test('only the allowed sites may frame it, each by name, and nothing else is allowed in it', async (t) => {
  const s = await signer(t);
  const res = await http(`${s.url}/readiness`, { headers: fromPortal });
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, `frame-ancestors 'self' ${PORTAL} ${OTHER_SITE}`);
  t.notMatch(csp, /frame-ancestors[^;]*\*/, 'no wildcard');
  t.match(csp, /default-src 'none'/);
  t.match(csp, /form-action 'none'/);
  t.equal(res.headers['x-frame-options'], undefined, 'no DENY, which would forbid the allowed sites too');
  const status = await http(`${s.url}/`);
  t.equal(status.headers['x-frame-options'], 'DENY', 'the signer’s other pages stay unframeable');
});

t.test('in English', async (t) => {
  const s = await signer(t);
  const res = await http(`${s.url}/readiness?lang=en`, { headers: fromPortal });
  t.match(res.body, /<html lang="en">/);
  t.match(res.body, 'Certificate signer running');
  t.match(res.body, 'Card holder');
  t.match(res.body, /To change card: insert the card to use/);
  t.match(res.body, 'Check again');
});

t.test('no card in the reader, and no reader at all, are each said with what to do', async (t) => {
  const empty = await signer(t, { p12: [{ p12File: join(tempDir('readiness-empty-'), 'absent.p12') }] });
  const noCard = await http(`${empty.url}/readiness`, { headers: fromPortal });
  t.match(noCard.body, /data-state="no_card"/);
  t.match(noCard.body, /讀卡機中沒有卡片：請插入憑證IC卡（自然人憑證、工商憑證或政府憑證）後按「重新檢查」/);
  t.notMatch(noCard.body, /id="holder"/);
  const none = await signer(t, { p12: [] });
  const noReader = await http(`${none.url}/readiness?lang=en`, { headers: fromPortal });
  t.match(noReader.body, /data-state="no_reader"/);
  t.match(noReader.body, /No card reader was found/);
});

t.test('a card whose certificates need the PIN first says so instead of a holder', async (t) => {
  const s = await signer(t, { p12: [{ p12File: copyCard(card.p12), cardSerial: 'TP03000123456789' }] });
  const res = await http(`${s.url}/readiness`, { headers: fromPortal });
  t.match(res.body, /data-state="ready"/);
  t.match(res.body, /輸入 PIN碼 後才能讀取/);
  t.match(res.body, 'TP03000123456789');
});

t.test('with several demo cards, a link to choose one on the signer’s page; none on a kiosk', async (t) => {
  const s = await signer(t, {
    p12: [
      { p12File: copyCard(card.p12), cardSerial: 'TP03000123456789', signingCertFile: card.signCert },
      { p12File: copyCard(card.p12), cardSerial: 'TP03000223456786', signingCertFile: card.signCert },
    ],
  });
  const desk = await http(`${s.url}/readiness?lang=zh-TW`, { headers: fromPortal });
  t.match(desk.body, /<a href="\/\?lang=zh-TW" target="_blank" rel="noopener">選擇示範卡片（另開視窗）<\/a>/);
  const kiosk = await http(`${s.url}/readiness?lang=zh-TW&kiosk=1`, { headers: fromPortal });
  t.notMatch(kiosk.body, /target="_blank"/, 'a kiosk opens no other window');
  t.match(kiosk.body, /href="\/readiness\?lang=zh-TW&amp;kiosk=1"/, 'its 重新檢查 stays a kiosk’s');
  s.service.insertedCard = 'TP03000223456786';
  t.match((await http(`${s.url}/readiness`, { headers: fromPortal })).body, 'TP03000223456786', 'the card in use');
});

t.test('its stylesheet is served, and the page loads nothing from elsewhere', async (t) => {
  const s = await signer(t);
  const css = await http(`${s.url}/readiness.css`);
  t.equal(css.status, 200);
  t.match(css.headers['content-type'], /^text\/css/);
  t.match(css.body, /\.status--ok/);
  const page = await http(`${s.url}/readiness`, { headers: fromPortal });
  t.same(
    [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]).filter((u) => /^[a-z]+:/i.test(u)),
    [],
    'only its own paths',
  );
});
