// Client pages written from the behaviour of the public HiPKI samples, each run in Chromium against the signer.
// The pages are on http://localhost (another site), the signer on 127.0.0.1, as in real use.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSigner, type RunningSigner, type StartSignerOptions } from '../../../signer/server.js';
import { copyCard, makeTestCard, tempDir } from '../fixtures.js';
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
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  t.teardown(async () => {
    await browser.close();
    await clients.close();
  });

  async function signer(extra: Partial<StartSignerOptions> = {}): Promise<RunningSigner> {
    const running = await startSigner({
      port: 0,
      allowOrigins: [clients.origin],
      stateDir: tempDir('sw-signer-state-'),
      p12: [{ p12File: copyCard(card.p12), cardSerial: CARD_SERIAL, signingCertFile: card.signCert, encryptionCertFile: card.encCert }],
      ...extra,
    });
    t.teardown(() => running.close());
    return running;
  }

  /** Opens a client page, presses its button and returns what the page shows as the component's answer. */
  async function runPage(name: string, s: RunningSigner, params: Record<string, string> = {}): Promise<{ answer: Record<string, any>; page: Page }> {
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(clients.page(name, s.url, params));
    await page.click('#go');
    await page.waitForSelector('#result[data-done]', { timeout: 20_000 });
    return { answer: JSON.parse((await page.textContent('#result')) as string), page };
  }

  const s = await signer();

  t.test('readCertificate: GetUserCert through /popupForm is answered with func pkcs11info and the certificates', async (t) => {
    const { answer, page } = await runPage('read-certificate.html', s);
    t.equal(answer.func, 'pkcs11info');
    t.equal(answer.ret_code, 0);
    const token = answer.slots.at(-1).token;
    t.equal(token.serialNumber, CARD_SERIAL);
    t.ok(token.certs.every((c: { certb64?: string }) => typeof c.certb64 === 'string'), 'every certificate with its bytes');
    t.equal(await page.textContent('#subjectCN'), card.holderName, 'the page found the digitalSignature certificate');
  });

  t.test('checkEnvir: CheckEnvir through /popupForm is answered with func pkcs11info, without certificate bytes', async (t) => {
    const { answer } = await runPage('check-envir.html', s);
    t.equal(answer.func, 'pkcs11info');
    t.equal(answer.ret_code, 0);
    t.notOk(answer.slots.at(-1).token.certs.some((c: { certb64?: string }) => 'certb64' in c));
  });
}
