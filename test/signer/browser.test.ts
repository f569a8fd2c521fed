// The signer in a real browser (Chromium through playwright-core): a page on http://localhost (the "portal",
// another site) posts the no-JS form to the signer on 127.0.0.1 and the 確定 button posts the result back;
// and the HiPKI popup exchange, driven by a page script as the MOICA's sample pages do.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { chromium, type Browser } from 'playwright-core';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import { challenge, copyCard, makeTestCard, opensslVerifyCms, opensslVerifyPkcs1, PIN } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (process.env.CI === 'true') t.fail(`browser tests need Chromium at ${CHROMIUM}`);
  else t.plan(0, `no Chromium at ${CHROMIUM}`);
} else {
  await run();
}

interface FakePortal {
  origin: string;
  received: Array<Record<string, string>>;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A stand-in for the portal's certificate page and callback, on http://localhost:<port>. */
async function fakePortal(
  signerUrl: () => string,
): Promise<FakePortal & { setTbs(text: string, nonce: string): void }> {
  const received: Array<Record<string, string>> = [];
  let tbs = '';
  let nonce = '';
  let origin = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const csp = `default-src 'none'; script-src 'self'; form-action 'self' ${signerUrl()}`;
    const headers = {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': csp,
      'Referrer-Policy': 'strict-origin-when-cross-origin',
    };
    if (req.method === 'GET' && req.url === '/certificate') {
      res.writeHead(200, headers);
      res.end(`<!DOCTYPE html><html lang="zh-TW"><head><meta charset="utf-8"><title>cert</title></head><body>
<form method="post" action="${signerUrl()}/nojs/sign">
<input type="hidden" name="tbs" value="${esc(tbs)}">
<input type="hidden" name="nonce" value="${nonce}">
<input type="hidden" name="returnUrl" value="${origin}/callback">
<input type="hidden" name="backUrl" value="${origin}/certificate">
<input type="hidden" name="lang" value="zh-TW">
<input type="hidden" name="signatureType" value="PKCS7">
<label for="pin">PIN碼</label><input type="password" id="pin" name="pin">
<button type="submit">載入自然人憑證</button></form></body></html>`);
      return;
    }
    if (req.method === 'GET' && req.url === '/popup') {
      res.writeHead(200, headers);
      res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>popup</title><script src="/popup-page.js"></script></head>
<body><textarea id="tbs">${esc(tbs)}</textarea><button id="go" type="button">sign</button><pre id="result"></pre></body></html>`);
      return;
    }
    if (req.method === 'GET' && req.url === '/popup-page.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(`window.addEventListener('load', function () {
  var target;
  window.addEventListener('message', function (event) {
    if (event.origin !== ${JSON.stringify(signerUrl())}) return;
    var data = JSON.parse(event.data);
    if (data.func === 'getTbs') {
      target.postMessage(JSON.stringify({ tbs: encodeURIComponent(document.getElementById('tbs').value), tbsEncoding: 'NONE',
        hashAlgorithm: 'SHA256', pin: encodeURIComponent(${JSON.stringify(PIN)}), func: 'MakeSignature', signatureType: 'PKCS1' }), '*');
    } else {
      document.getElementById('result').textContent = event.data;
    }
  });
  document.getElementById('go').addEventListener('click', function () {
    target = window.open(${JSON.stringify(signerUrl())} + '/popupForm', 'signing', 'height=200,width=200');
  });
});`);
      return;
    }
    if (req.method === 'POST' && req.url === '/callback') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())));
        res.writeHead(200, headers);
        res.end(
          '<!DOCTYPE html><html lang="en"><head><title>ok</title></head><body><p id="done">received</p></body></html>',
        );
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    setTbs(text, n) {
      tbs = text;
      nonce = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function run(): Promise<void> {
  const card = makeTestCard();
  let signer: RunningSigner | undefined;
  const portal = await fakePortal(() => (signer as RunningSigner).url);
  signer = await startSigner({ port: 0, allowOrigins: [portal.origin], p12: [copyCard(card.p12)] });
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  t.teardown(async () => {
    await browser.close();
    await (signer as RunningSigner).close();
    await portal.close();
  });

  t.test(
    'without JavaScript: PIN form → 「憑證載入完成。」 → 確定 posts a verifiable signature back to the portal',
    async (t) => {
      const c = challenge(portal.origin, 'register');
      portal.setTbs(c.text, c.nonce);
      const context = await browser.newContext({ javaScriptEnabled: false });
      t.teardown(() => context.close());
      const page = await context.newPage();
      await page.goto(`${portal.origin}/certificate`);
      await page.fill('#pin', PIN);
      await page.click('button[type=submit]');
      await page.waitForSelector('text=憑證載入完成。');
      t.equal(new URL(page.url()).origin, (signer as RunningSigner).url, 'the answer page is the signer’s');
      await page.click('button:has-text("確定")');
      await page.waitForSelector('#done');
      const back = portal.received.at(-1) as Record<string, string>;
      t.equal(back.nonce, c.nonce);
      t.equal(back.signatureType, 'PKCS7');
      const verified = opensslVerifyCms(Buffer.from(back.signature, 'base64'));
      t.ok(verified.ok);
      t.equal(verified.content.toString(), c.text, 'the browser’s CRLF did not change what was signed');
    },
  );

  t.test('without JavaScript: a wrong PIN shows the tries left and a link back to the portal page', async (t) => {
    const c = challenge(portal.origin, 'login');
    portal.setTbs(c.text, c.nonce);
    const context = await browser.newContext({ javaScriptEnabled: false });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${portal.origin}/certificate`);
    await page.fill('#pin', '999999');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=還可以再試 2 次');
    await page.click('a:has-text("回到上一頁")');
    t.equal(page.url(), `${portal.origin}/certificate`);
    await page.fill('#pin', PIN);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=憑證載入完成。');
  });

  t.test('the HiPKI popup exchange signs for the opener and posts the answer back to it', async (t) => {
    const c = challenge(portal.origin, 'login');
    portal.setTbs(c.text, c.nonce);
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${portal.origin}/popup`);
    await page.click('#go');
    await page.waitForFunction(() => (document.getElementById('result')?.textContent ?? '') !== '');
    const answer = JSON.parse((await page.textContent('#result')) as string);
    t.equal(answer.ret_code, 0);
    t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(c.text), Buffer.from(answer.signature, 'base64')));
  });
}
