// The no-JS certificate step when the page script signs on it (same-site, so the session is checked at once), and what
// the step does with a malformed answer from the card component.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from './helpers';

const demo = await makeDemoPki(new Date(), [
  { id: 'kuo', purpose: 'citizen', holderName: '郭志強', idNumber: 'A123456789', pin: '112233', issuer: 'g3' },
]);
t.teardown(demo.remove);
const pki = demo.pki;
const ctx = await buildRegisterApp(demoCardVerifier(pki));
t.teardown(ctx.close);
const kuo = pki.card('kuo');

async function atCertificatePage() {
  const client = new Browser(ctx.app, uniqueAddress());
  const form = await client.get('/register/citizen');
  await client.post('/register/citizen', { _csrf: csrfFrom(form.body), ...detailsFor(kuo) });
  const page = await client.get('/register/citizen/certificate');
  return { client, page };
}

t.test(
  'the certificate page offers the page script a form to fill, posting to the portal without a PIN field',
  async (t) => {
    const { page } = await atCertificatePage();
    const signed = /<form[^>]*id="signed-form"[\s\S]*?<\/form>/.exec(page.body)?.[0] ?? '';
    t.match(signed, /action="\/register\/citizen\/certificate"/);
    for (const name of ['_csrf', 'nonce', 'signature', 'certificate', 'signatureType', 'cardSerial'])
      t.match(signed, `name="${name}"`);
    t.notMatch(signed, /name="pin"/);
    t.match(page.body, /data-signer-form[^>]*data-signed-form="signed-form"/);
  },
);

t.test('a signature made by the page script on the certificate page continues to the confirm page', async (t) => {
  const { client, page } = await atCertificatePage();
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'kuo', tbs, nonce),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/citizen/confirm');
  const confirm = await client.get('/register/citizen/confirm');
  t.match(confirm.body, kuo.cardSerial);
});

t.test('a malformed answer from the card component is refused on the certificate page', async (t) => {
  const { client, page } = await atCertificatePage();
  const { nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen/certificate', {
    _csrf: csrfFrom(page.body),
    nonce,
    signature: 'not base64!',
    certificate: 'x',
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /簽章資料格式錯誤/);
  t.match(res.body, /<div class="error-summary"[\s\S]*?href="#pin"/);
});

t.test('a malformed answer on the one-page form keeps the details and says so', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(kuo),
    nonce,
    signature: '%%%',
    certificate: 'AAAA',
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /簽章資料格式錯誤/);
  t.match(res.body, /value="郭志強"/);
  t.equal((await ctx.db.pool.query('SELECT count(*)::int AS n FROM accounts')).rows[0].n, 0);
});
