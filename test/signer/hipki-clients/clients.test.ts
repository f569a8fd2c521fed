// Client pages written from the behaviour of public client code for the HiPKI component (the MOICA sample pages,
// login libraries, the SDK ChtICToken.js; signer/README.md names them), each run in Chromium against the signer.
// The pages are on http://localhost (another site), the signer on 127.0.0.1, as in real use.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSigner, type RunningSigner, type StartSignerOptions } from '../../../signer/server.js';
import { copyCard, derFromPem, makeTestCard, opensslVerifyCms, opensslVerifyPkcs1, PIN, tempDir } from '../fixtures.js';
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

  /** Opens a client page and waits for the answer it shows in #result (after pressing #go, unless `press` is false). */
  async function openPage(name: string, s: RunningSigner | string, params: Record<string, string> = {}): Promise<Page> {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(clients.page(name, typeof s === 'string' ? s : s.url, params));
    return page;
  }

  async function shown(page: Page, id = 'result'): Promise<Record<string, any>> {
    await page.waitForSelector(`#${id}[data-done]`, { timeout: 20_000 });
    return JSON.parse((await page.textContent(`#${id}`)) as string);
  }

  /** Opens a client page, presses its button and returns what the page shows as the component's answer. */
  async function runPage(
    name: string,
    s: RunningSigner | string,
    params: Record<string, string> = {},
  ): Promise<{ answer: Record<string, any>; page: Page }> {
    const page = await openPage(name, s, params);
    await page.click('#go');
    return { answer: await shown(page), page };
  }

  const s = await signer();

  t.test(
    'readCertificate: GetUserCert through /popupForm is answered with func pkcs11info; the first slot with a card is the card in use',
    async (t) => {
      const { answer, page } = await runPage('read-certificate.html', s);
      t.equal(answer.func, 'pkcs11info');
      t.equal(answer.ret_code, 0);
      t.equal(answer.slots[0].token.serialNumber, CARD_SERIAL);
      t.ok(
        answer.slots[0].token.certs.every((c: { certb64?: string }) => typeof c.certb64 === 'string'),
        'every certificate with its bytes',
      );
      t.equal(await page.textContent('#subjectCN'), card.holderName, 'the page found the digitalSignature certificate');
      t.equal(await page.textContent('#cardSN'), CARD_SERIAL);
    },
  );

  t.test(
    'checkEnvir: CheckEnvir through /popupForm is answered with func pkcs11info, without certificate bytes',
    async (t) => {
      const { answer } = await runPage('check-envir.html', s);
      t.equal(answer.func, 'pkcs11info');
      t.equal(answer.ret_code, 0);
      t.notOk(answer.slots[0].token.certs.some((c: { certb64?: string }) => 'certb64' in c));
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
      t.equal(answer.cardSN, CARD_SERIAL);
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

  t.test(
    'sign: a hash the page computed (RAW, base64, no hashAlgorithm) is signed as a signature over the document',
    async (t) => {
      const document = Buffer.from('申報書 2026 + 附件');
      for (const hash of ['sha256', 'sha1']) {
        const { answer } = await runPage('sign.html', s, {
          mode: 'hashBase64',
          tbs: createHash(hash).update(document).digest('base64'),
          pin: PIN,
        });
        t.equal(answer.ret_code, 0, hash);
        t.ok(
          opensslVerifyPkcs1(card.signPub, document, Buffer.from(answer.signature, 'base64'), hash),
          `${hash}: the hash kind taken from its length`,
        );
      }
    },
  );

  t.test(
    'sign: a wrong PIN is 0x76100006 with the tries left in last_error as the signed number the pages compare',
    async (t) => {
      const own = await signer();
      const { answer, page } = await runPage('sign.html', own, { tbs: 'x', pin: '999999' });
      t.equal(answer.ret_code, 0x76100006);
      t.equal(answer.last_error, -2147483646);
      t.equal(await page.textContent('#reason'), 'PIN碼錯誤，剩餘兩次機會', "the page's own table knows the code");
      t.equal(answer.message2, 'PIN碼錯誤，剩餘兩次機會');
      t.match(answer.message, /PIN碼錯誤/);
    },
  );

  t.test('decryptData: DecryptData is answered with func decrypt and 0x7600000E (不支援的方法)', async (t) => {
    const { answer } = await runPage('decrypt.html', s, { pin: PIN });
    t.equal(answer.func, 'decrypt');
    t.equal(answer.ret_code, 0x7600000e);
    t.match(answer.message, /\S/);
  });

  t.test(
    'SDK (ChtICToken.js): CheckEnvir, GetUserCert and MakeSignature through /ChtPopupForm, the reader named by slotDescription',
    async (t) => {
      const tbs = Buffer.from('SDK 簽章內容');
      const keyId = createHash('sha1')
        .update(new X509Certificate(readFileSync(card.signCert)).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64');
      for (const params of [{}, { keyidb64: keyId }] as Array<Record<string, string>>) {
        const page = await openPage('sdk.html', s, { tbs: tbs.toString('base64'), pin: PIN, ...params });
        await page.click('#envir');
        const envir = await shown(page, 'envir-result');
        t.equal(envir.RCode, 0);
        t.same(envir.cards, [CARD_SERIAL], 'one reader, with the card');
        t.equal(envir.active, 0);
        await page.click('#cert');
        const cert = await shown(page, 'cert-result');
        t.equal(cert.RCode, 0, JSON.stringify(params));
        t.same(Buffer.from(cert.Certificate, 'base64'), derFromPem(card.signCert), 'the signing certificate');
        t.equal(cert.KeyUsage, 'digitalSignature');
        t.equal(cert.SubjectID, '0000000112831644');
        const x509 = new X509Certificate(readFileSync(card.signCert));
        t.equal(Date.parse(cert.NotAfter), Date.parse(x509.validTo), 'notAfterT is seconds since 1970');
        t.equal(Date.parse(cert.NotBefore), Date.parse(x509.validFrom));
        await page.click('#sign');
        const signed = await shown(page, 'sign-result');
        t.equal(signed.RCode, 0, 'cardSN is the card the reader holds');
        t.ok(opensslVerifyPkcs1(card.signPub, tbs, Buffer.from(signed.B64Signature, 'base64')));
      }
    },
  );

  t.test('p11Image.bmp: the checkVersion way, a 2000×1 canvas read pixel by pixel as blue, green, red', async (t) => {
    const { answer } = await runPage('p11-image.html', s);
    t.equal(answer.func, 'pkcs11info');
    t.equal(answer.ret_code, 0);
    t.equal(answer.serverVersion, '1.3.8');
    const signing = answer.slots[0].token.certs.find((c: { usage: string }) => c.usage === 'digitalSignature');
    t.equal(signing.subjectCN, card.holderName, 'non-ASCII text survives the pixels');
  });

  t.test("p11Image.bmp: the other pages' way, the image's bytes after its 54-byte header read as text", async (t) => {
    const { answer } = await runPage('p11-image-xhr.html', s);
    t.equal(answer.ret_code, 0);
    t.equal(answer.slots[0].token.serialNumber, CARD_SERIAL);
    const signing = answer.slots[0].token.certs.find((c: { usage: string }) => c.usage === 'digitalSignature');
    t.equal(signing.subjectCN, card.holderName);
  });

  t.test('p11Image.bmp: a site that is not trusted reads 0x76000031 and nothing of the card', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    for (const name of ['p11-image.html', 'p11-image-xhr.html']) {
      const { answer } = await runPage(name, untrusting);
      t.equal(answer.ret_code, 0x76000031, name);
      t.match(answer.message, /\S/);
      t.same(answer.slots, [], `${name}: no reader or card`);
    }
  });

  t.test('p11Image.bmp: no signer on the port is what the pages call 未安裝客戶端程式或未啟動服務', async (t) => {
    const gone = await signer();
    const url = gone.url;
    await gone.close();
    const { answer } = await runPage('p11-image.html', url);
    t.equal(answer.error, '未安裝客戶端程式或未啟動服務');
  });

  t.test('waiting.gif: any page can load the picture of the waiting window', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    t.same((await runPage('detect.html', untrusting)).answer, { installed: true });
  });

  t.test(
    'checkVersion + addDomain: an untrusted page opens /addDomain?domain=<its host name>, the user adds it, the page is told ret_code 0 and reloads into the card details; kept after a restart',
    async (t) => {
      const stateDir = tempDir('sw-signer-state-');
      const first = await signer({ allowOrigins: ['https://portal.example'], stateDir });
      const page = await openPage('check-version.html', first);
      t.equal((await shown(page)).ret_code, 0x76000031);
      t.match(await page.textContent('#status'), '非信任網站，請先加入信任網站');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#addDomain')]);
      await popup.waitForSelector('text=請先加入信任網站');
      t.match(await popup.textContent('main'), '「localhost」', 'the confirmation names the host name asked for');
      await Promise.all([page.waitForEvent('load'), popup.click('button:has-text("加入信任網站")')]);
      const reloaded = await shown(page);
      t.equal(reloaded.ret_code, 0, 'the page reloaded and the site is trusted');
      t.match(await page.textContent('#slotDescription'), `卡號:[${CARD_SERIAL}]`);
      t.equal(await popup.getAttribute('#result', 'data-result'), 'added');
      t.equal((await runPage('read-certificate.html', first)).answer.ret_code, 0, 'the popup path too');
      await first.close();
      const second = await signer({ allowOrigins: ['https://portal.example'], stateDir });
      t.equal((await runPage('read-certificate.html', second)).answer.ret_code, 0, 'the trusted-site list was kept');
      t.equal((await runPage('p11-image.html', second)).answer.ret_code, 0);
    },
  );

  t.test('checkVersion + addDomain: cancelling adds nothing and the page is told 0x76000999', async (t) => {
    const untrusting = await signer({ allowOrigins: ['https://portal.example'] });
    const page = await openPage('check-version.html', untrusting);
    t.equal((await shown(page)).ret_code, 0x76000031);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#addDomain')]);
    await popup.click('button:has-text("取消")');
    await page.waitForSelector('#status[data-done]');
    t.equal(await page.textContent('#status'), `Add domain failed, code=${0x76000999}`);
    t.equal(await popup.getAttribute('#result', 'data-result'), 'cancelled');
    t.equal((await runPage('read-certificate.html', untrusting)).answer.ret_code, 0x76000031);
  });

  t.test('selfTest.htm shows the signer with its card', async (t) => {
    const page = await openPage('detect.html', s);
    await page.goto(`${s.url}/selfTest.htm`);
    t.match(await page.textContent('main'), CARD_SERIAL);
  });
}
