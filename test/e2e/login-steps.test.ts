// The certificate login page in Chromium words its steps as the path it runs: without JavaScript the seed's round
// trip through the certificate component (確定 ③, 送出 ④); with it no 確定, and 送出 is ③. The PIN rule is the one
// text the registration shows too.
import t from 'tap';
import { startPortal, expectAxeClean } from './helpers/browser';
import { loadMessages } from '../../server/plugins/i18n';

const portal = await startPortal();
t.teardown(portal.close);
const messages = loadMessages();

for (const lang of ['zh-TW', 'en'] as const) {
  t.test(`${lang}: without JavaScript the steps are the round trip through the component`, async (t) => {
    const page = await portal.newPage({ js: false, lang });
    await page.goto(portal.url('/login/certificate'));
    t.equal(await page.textContent('#certificate-steps'), messages[lang]['login.certificateSteps']);
    t.equal(await page.textContent('#pin-hint'), messages[lang]['signing.pinHint']);
    await expectAxeClean(page, t);
  });

  t.test(`${lang}: with JavaScript the steps have no 確定, and 送出 is ③`, async (t) => {
    const page = await portal.newPage({ js: true, lang });
    await page.goto(portal.url('/login/certificate'));
    const steps = await page.textContent('#certificate-steps');
    t.equal(steps, messages[lang]['login.certificateStepsJs']);
    t.notMatch(steps, lang === 'zh-TW' ? /確定/ : /\bOK\b/);
    t.match(await page.locator('#signed-form button[type="submit"]').textContent(), /③/);
    await page.goto(portal.url('/register/citizen'));
    t.equal(await page.textContent('#pin-hint'), messages[lang]['signing.pinHint'], 'the registration says the same');
    await expectAxeClean(page, t);
  });
}
