// The portal's page script (public/js/signing.js) in Chromium against a signer that, like the real HiPKI component,
// sends no CORS headers: a cross-site POST /sign cannot be read there, so a browser without WebSocket signs through
// the popup (/popupForm + postMessage).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import { challenge, copyCard, http, makeTestCard, opensslVerifyCms, PIN, postForm } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SIGNING_JS = readFileSync(new URL('../../public/js/signing.js', import.meta.url));

if (!existsSync(CHROMIUM)) {
  if (process.env.CI === 'true') t.fail(`browser tests need Chromium at ${CHROMIUM}`);
  else t.plan(0, `no Chromium at ${CHROMIUM}`);
} else {
  await run();
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

async function run(): Promise<void> {
  const card = makeTestCard();
  let signerUrl = '';
  let tbs = '';
  let nonce = '';
  // The portal's certificate page, reduced to the markup signing.js works on.
  const portal = createServer((req, res) => {
    if (req.url === '/public/js/signing.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(SIGNING_JS);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; script-src 'self'",
    });
    res.end(`<!DOCTYPE html><html lang="zh-TW"><head><meta charset="utf-8"><title>cert</title></head><body>
<form method="post" action="${signerUrl}/nojs/sign" data-signer-form data-signer-url="${signerUrl}" data-signed-form="signed-form"
  data-msg-unreachable="找不到憑證元件" data-msg-failed="簽章失敗 {code}">
<input type="hidden" name="tbs" value="${esc(tbs)}"><input type="hidden" name="nonce" value="${nonce}">
<label for="pin">PIN碼</label><input type="password" id="pin" name="pin"><button type="submit">載入自然人憑證</button></form>
<form id="signed-form" method="post" action="/callback" hidden><p id="signed-message" tabindex="-1">憑證載入完成。</p>
<input type="hidden" name="nonce"><input type="hidden" name="signature"><input type="hidden" name="certificate">
<input type="hidden" name="signatureType"><input type="hidden" name="cardSerial"><button type="submit">確定</button></form>
<script src="/public/js/signing.js"></script></body></html>`);
  });
  await new Promise<void>((resolve) => portal.listen(0, 'localhost', resolve));
  const origin = `http://localhost:${(portal.address() as AddressInfo).port}`;
  const signer: RunningSigner = await startSigner({
    port: 0,
    allowOrigins: [origin],
    p12: [copyCard(card.p12)],
    cors: false,
  });
  signerUrl = signer.url;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  t.teardown(async () => {
    await browser.close();
    await signer.close();
    await new Promise<void>((resolve) => portal.close(() => resolve()));
  });

  async function pageWithoutWebSocket() {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    await context.addInitScript(() => {
      // A browser (or an enterprise policy) without WebSocket: the script must not rely on it.
      delete (window as { WebSocket?: unknown }).WebSocket;
      (window as { WebSocket?: unknown }).WebSocket = undefined;
    });
    const page = await context.newPage();
    await page.goto(`${origin}/certificate`);
    return page;
  }

  t.test(
    'with CORS off the signer sends no CORS header on /sign: a cross-site page could not read its answer',
    async (t) => {
      const res = await postForm(`${signer.url}/sign`, { tbsPackage: '{}' }, { Origin: origin });
      t.equal(res.headers['access-control-allow-origin'], undefined);
      const info = await http(`${signer.url}/pkcs11info`, { headers: { Origin: origin } });
      t.equal(info.headers['access-control-allow-origin'], undefined);
    },
  );

  t.test(
    'without WebSocket, signing.js signs through the popup and fills the portal form with a verifiable CMS',
    async (t) => {
      const c = challenge(origin, 'login');
      tbs = c.text;
      nonce = c.nonce;
      const page = await pageWithoutWebSocket();
      await page.fill('#pin', PIN);
      await page.click('button[type=submit]');
      await page.waitForSelector('#signed-form:not([hidden])', { timeout: 20_000 });
      const field = (name: string) => page.inputValue(`#signed-form input[name=${name}]`);
      t.equal(await field('nonce'), c.nonce);
      t.equal(await field('signatureType'), 'PKCS7');
      const verified = opensslVerifyCms(Buffer.from(await field('signature'), 'base64'));
      t.ok(verified.ok);
      t.equal(verified.content.toString(), c.text);
      t.equal(await page.inputValue('#pin'), '', 'the PIN is cleared from the page');
    },
  );

  t.test('without WebSocket, a wrong PIN comes back through the popup as the signer’s message', async (t) => {
    const c = challenge(origin, 'login');
    tbs = c.text;
    nonce = c.nonce;
    const page = await pageWithoutWebSocket();
    await page.fill('#pin', '999999');
    await page.click('button[type=submit]');
    await page.waitForSelector('#signing-error', { timeout: 20_000 });
    t.match(await page.textContent('#signing-error'), /PIN碼錯誤。還可以再試 2 次/);
  });
}
