import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { makeDemoPki, demoCardVerifier } from '../helpers/demo-cards';
import { createAccount, cookieFor } from './fixtures';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { parseCertificate, readProfile } from '../../server/pki/index';

const demo = await makeDemoPki(new Date(), [
  { id: 'good', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  {
    id: 'bad',
    purpose: 'revocation-test',
    holderName: '張雅婷',
    idNumber: 'E223456785',
    pin: '864200',
    issuer: 'g3',
    revoked: true,
  },
]);
t.teardown(demo.remove);
const ctx = await buildTestApp({}, { cardVerifier: demoCardVerifier(demo.pki) });
t.teardown(ctx.close);

async function bound(cardId: string) {
  const card = demo.pki.card(cardId);
  const account = await createAccount(ctx.db.pool, { idNumber: card.idNumber, name: card.holderName });
  const parsed = parseCertificate(card.signingCertDer);
  if (!parsed.ok) throw new Error('demo card does not parse');
  const p = readProfile(parsed.cert);
  await certificatesRepository(ctx.db.pool).bind(
    bindingFor(account.id, {
      fingerprintSha256: p.fingerprint,
      issuerDn: p.issuer,
      serialHex: p.serial,
      subjectCn: p.commonName ?? '',
      subjectSerial: p.subjectSerialNumber ?? null,
      idLast4: p.idLast4 ?? null,
      cardSerial: p.cardSerial ?? null,
      notBefore: p.notBefore.toISOString(),
      notAfter: p.notAfter.toISOString(),
      derBase64: card.signingCertDer.toString('base64'),
    }),
  );
  return account;
}

t.test('the account page shows the current revocation state of each bound certificate', async (t) => {
  const operator = await createAccount(ctx.db.pool, { role: 'operator', name: '承辦員' });
  const cookie = await cookieFor(ctx.db.pool, operator);
  const good = await bound('good');
  const bad = await bound('bad');
  const goodPage = await ctx.app.inject({ url: `/admin/accounts/${good.id}`, headers: { cookie } });
  t.equal(goodPage.statusCode, 200);
  t.match(goodPage.body, /正常/);
  const badPage = await ctx.app.inject({ url: `/admin/accounts/${bad.id}`, headers: { cookie } });
  t.match(badPage.body, /已廢止/);
});
