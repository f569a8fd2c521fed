// 「元件已啟動？」 on a certificate-component download page, in Chromium: with JavaScript off the signer's picture
// shows when it runs and the page's own text when nothing answers; with JavaScript on the words follow the signer.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSigner } from '../../signer/server';
import { expectAxeClean, freePort, startPortal } from './helpers/browser';

// A stand-in package (the page's check does not depend on what the file holds; installers.test.ts checks real ones).
const installersDir = mkdtempSync(join(tmpdir(), 'sw-e2e-installers-'));
const body = Buffer.from('linux package\n');
writeFileSync(join(installersDir, 'sw-signer_1.2.0_amd64.deb'), body);
writeFileSync(
  join(installersDir, 'manifest.json'),
  JSON.stringify({
    version: '1.2.0',
    date: '2026-12-03',
    node: '20.20.2',
    packages: [
      {
        platform: 'linux',
        fileName: 'sw-signer_1.2.0_amd64.deb',
        size: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        cardReaders: true,
      },
    ],
  }),
);

const signerPort = await freePort('127.0.0.1');
const portal = await startPortal({ env: { SIGNER_URL: `http://127.0.0.1:${signerPort}` }, installersDir });
t.teardown(portal.close);
let signer: Awaited<ReturnType<typeof startSigner>> | undefined = await startSigner({
  port: signerPort,
  allowOrigins: [portal.config.publicOrigin],
  stateDir: mkdtempSync(join(tmpdir(), 'sw-e2e-signer-')),
});
t.teardown(async () => signer?.close());

/** Whether the <object> shows the signer's picture: Chromium renders its fallback only when the load failed. */
async function fallbackShown(page: Awaited<ReturnType<typeof portal.newPage>>): Promise<boolean> {
  return page.isVisible('.signer-check__missing');
}

t.test("with JavaScript off and the signer running, the check shows the signer's picture", async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/downloads/signer-linux'));
  await page.waitForLoadState('load');
  t.equal(await page.textContent('#signer-check-heading'), '元件已啟動？');
  t.notOk(await fallbackShown(page), 'no fallback text');
  const frame = page.frames().find((f) => f.url().includes('/ready.svg'));
  t.ok(frame, 'the picture is loaded from the signer');
  t.match(await frame!.textContent('svg'), /憑證元件已啟動（1\.2\.0）/);
  t.ok(await page.isHidden('.signer-check__live'), 'no script, no live text');
  await expectAxeClean(page, t);
});

t.test('with JavaScript on and the signer running, the page says so in words', async (t) => {
  const page = await portal.newPage({ js: true, lang: 'en' });
  await page.goto(portal.url('/downloads/signer-linux'));
  await page.waitForSelector('.signer-check__live[data-state="running"]');
  t.equal(await page.textContent('.signer-check__live'), '✔ The certificate component is running.');
  await expectAxeClean(page, t);
});

t.test('when the signer stops, the live text changes without a reload', async (t) => {
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/downloads/signer-linux'));
  await page.waitForSelector('.signer-check__live[data-state="running"]');
  await signer!.close();
  signer = undefined;
  await page.waitForSelector('.signer-check__live[data-state="not-running"]');
  t.equal(await page.textContent('.signer-check__live'), '✖ 未偵測到憑證元件：元件尚未安裝或尚未啟動。');
});

t.test("with JavaScript off and no signer, the page's own text answers", async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/downloads/signer-linux'));
  await page.waitForLoadState('load');
  t.ok(await fallbackShown(page), 'the fallback text is shown');
  t.equal(await page.textContent('.signer-check__missing'), '✖ 未偵測到憑證元件：元件尚未安裝或尚未啟動。');
  await expectAxeClean(page, t);
});
