// Client pages written from the behaviour of the public HiPKI samples, each run in Chromium against the signer.
// The pages are on http://localhost (another site), the signer on 127.0.0.1, as in real use.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSigner, type RunningSigner, type StartSignerOptions } from '../../../signer/server.js';
import { copyCard, makeTestCard, opensslVerifyCms, opensslVerifyPkcs1, PIN, tempDir } from '../fixtures.js';
import { startClientServer, type ClientServer } from './client-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CARD_SERIAL = 'TP03000000000001';

if (!existsSync(CHROMIUM)) {
  if (process.env.CI === 'true') t.fail(`browser tests need Chromium at ${CHROMIUM}`);
  else t.plan(0, `no Chromium at ${CHROMIUM}`);
} else {
  await run();
}

async function run(): Promise<void> {
  const card = makeTestCard();
  const clients: ClientServer = await startClientServer();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  t.teardown(async () => {
    await browser.close();
    await clients.close();
  });

  async function signer(extra: Partial<StartSignerOptions> = {}): Promise<RunningSigner> {
    const running = await startSigner({
      port: 0,
      allowOrigins: [clients.origin],
      stateDir: tempDir('sw-signer-state-'),
      p12: [
        {
          p12File: copyCard(card.p12),
          cardSerial: CARD_SERIAL,
          signingCertFile: card.signCert,
          encryptionCertFile: card.encCert,
        },
      ],
      ...extra,
    });
    t.teardown(() => running.close());
    return running;
  }

  /** Opens a client page, presses its button and returns what the page shows as the component's answer. */
  async function runPage(
    name: string,
    s: RunningSigner,
    params: Record<string, string> = {},
  ): Promise<{ answer: Record<string, any>; page: Page }> {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(clients.page(name, s.url, params));
    await page.click('#go');
    await page.waitForSelector('#result[data-done]', { timeout: 20_000 });
    return { answer: JSON.parse((await page.textContent('#result')) as string), page };
  }

  const s = await signer();

  t.test(
    'readCertificate: GetUserCert through /popupForm is answered with func pkcs11info and the certificates',
    async (t) => {
      const { answer, page } = await runPage('read-certificate.html', s);
      t.equal(answer.func, 'pkcs11info');
      t.equal(answer.ret_code, 0);
      const token = answer.slots.at(-1).token;
      t.equal(token.serialNumber, CARD_SERIAL);
      t.ok(
        token.certs.every((c: { certb64?: string }) => typeof c.certb64 === 'string'),
        'every certificate with its bytes',
      );
      t.equal(await page.textContent('#subjectCN'), card.holderName, 'the page found the digitalSignature certificate');
    },
  );

  t.test(
    'checkEnvir: CheckEnvir through /popupForm is answered with func pkcs11info, without certificate bytes',
    async (t) => {
      const { answer } = await runPage('check-envir.html', s);
      t.equal(answer.func, 'pkcs11info');
      t.equal(answer.ret_code, 0);
      t.notOk(answer.slots.at(-1).token.certs.some((c: { certb64?: string }) => 'certb64' in c));
    },
  );

  t.test(
    'sign: MakeSignature through /popupForm, SHA256 PKCS7, answered with func sign and the component version',
    async (t) => {
      const tbs = 'sample text to sign 簽章+測試';
      const { answer } = await runPage('sign.html', s, {
        tbs,
        pin: PIN,
        hashAlgorithm: 'SHA256',
        signatureType: 'PKCS7',
      });
      t.equal(answer.func, 'sign');
      t.equal(answer.ret_code, 0);
      t.equal(answer.version, '2.3.2');
      const verified = opensslVerifyCms(Buffer.from(answer.signature, 'base64'));
      t.ok(verified.ok);
      t.equal(verified.content.toString(), tbs, "the sample's %2B for '+' is undone");
    },
  );

  t.test('sign: SHA1 PKCS1 through the SDK popup /ChtPopupForm', async (t) => {
    const { answer } = await runPage('sign.html', s, {
      tbs: 'legacy',
      pin: PIN,
      hashAlgorithm: 'SHA1',
      signatureType: 'PKCS1',
      popup: '/ChtPopupForm',
    });
    t.equal(answer.ret_code, 0);
    t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from('legacy'), Buffer.from(answer.signature, 'base64'), 'sha1'));
  });

  t.test('sign: a wrong PIN is 0x76100006 with the tries left in last_error and a message', async (t) => {
    const own = await signer();
    const { answer } = await runPage('sign.html', own, { tbs: 'x', pin: '999999' });
    t.equal(answer.ret_code, 0x76100006);
    t.equal(answer.last_error, 0x80000002);
    t.match(answer.message, /PIN碼錯誤/);
  });

  t.test('p11Image.bmp: the /pkcs11info answer read from the pixels of a cross-origin image', async (t) => {
    const { answer } = await runPage('p11-image.html', s, { withcert: 'true' });
    t.equal(answer.func, 'pkcs11info');
    t.equal(answer.ret_code, 0);
    const signing = answer.slots.at(-1).token.certs.find((c: { usage: string }) => c.usage === 'digitalSignature');
    t.equal(signing.subjectCN, card.holderName, 'non-ASCII text survives the pixels');
    t.ok(signing.certb64);
  });

  t.test('p11Image.bmp: a site that is not trusted cannot read the image', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    const { answer } = await runPage('p11-image.html', untrusting);
    // Without the CORS header a crossOrigin image does not load at all (nor, without crossOrigin, can the canvas be read).
    t.ok(answer.error, String(answer.error));
    t.notOk('slots' in answer);
  });

  t.test('waiting.gif: any page can tell that the component runs', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    t.same((await runPage('detect.html', untrusting)).answer, { installed: true });
  });

  t.test(
    'addDomain: an untrusted site is told 0x76000031; after the user confirms on /addDomain it is served, also after a restart',
    async (t) => {
      const stateDir = tempDir('sw-signer-state-');
      const first = await signer({ allowOrigins: ['https://portal.example'], stateDir });
      t.equal((await runPage('read-certificate.html', first)).answer.ret_code, 0x76000031);
      const context = await browser.newContext();
      t.teardown(() => context.close());
      const page = await context.newPage();
      await page.goto(`${first.url}/addDomain?domain=${encodeURIComponent(clients.origin)}`);
      await page.waitForSelector('text=請先加入信任網站');
      t.match(await page.textContent('main'), clients.origin, 'the page names the site');
      await page.click('button:has-text("加入信任網站")');
      t.equal(await page.getAttribute('#result', 'data-result'), 'added');
      t.equal((await runPage('read-certificate.html', first)).answer.ret_code, 0);
      await first.close();
      const second = await signer({ allowOrigins: ['https://portal.example'], stateDir });
      t.equal((await runPage('read-certificate.html', second)).answer.ret_code, 0, 'the trusted-site list was kept');
    },
  );

  t.test('addDomain: cancelling adds nothing', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${untrusting.url}/addDomain?domain=${encodeURIComponent(clients.origin)}`);
    await page.click('button:has-text("取消")');
    t.equal(await page.getAttribute('#result', 'data-result'), 'cancelled');
    t.equal((await runPage('read-certificate.html', untrusting)).answer.ret_code, 0x76000031);
  });

  t.test('selfTest.htm shows the signer with its card', async (t) => {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${s.url}/selfTest.htm`);
    t.match(await page.textContent('main'), CARD_SERIAL);
  });
}
