// The no-JavaScript path over real sockets with a PKCS#12 soft card: the portal's form posts to the signer,
// the signer answers 「憑證載入完成。」 with a form back to the portal, or an error page with a way back.
import t, { type Test } from 'tap';
import { startSigner, type RunningSigner } from '../../signer/server.js';
import {
  challenge,
  copyCard,
  formAction,
  formFields,
  makeTestCard,
  opensslVerifyCms,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
  postForm,
  derFromPem,
  http,
} from './fixtures.js';

const card = makeTestCard();

async function signer(t: Test, p12: string[] = [copyCard(card.p12)]): Promise<RunningSigner> {
  const running = await startSigner({ port: 0, allowOrigins: [PORTAL], p12 });
  t.teardown(() => running.close());
  return running;
}

function form(overrides: Record<string, string> = {}) {
  const c = challenge();
  return {
    tbs: c.text,
    nonce: c.nonce,
    returnUrl: `${PORTAL}/login/certificate/callback`,
    pin: PIN,
    lang: 'zh-TW',
    ...overrides,
  };
}

const fromPortal = { Origin: PORTAL, Referer: `${PORTAL}/login/certificate` };

t.test('a right PIN answers 「憑證載入完成。」 with a 確定 form posting the signature to the return URL', async (t) => {
  const s = await signer(t);
  const fields = form();
  const res = await postForm(`${s.url}/nojs/sign`, fields, fromPortal);
  t.equal(res.status, 200);
  t.match(res.body, /<html lang="zh-TW">/);
  t.match(res.body, /憑證載入完成。/);
  t.match(res.body, /<button type="submit"[^>]*>確定<\/button>/);
  t.match(res.body, card.holderName);
  t.equal(formAction(res.body), fields.returnUrl);
  const back = formFields(res.body);
  t.same(Object.keys(back).sort(), ['cardSerial', 'certificate', 'lang', 'nonce', 'signature', 'signatureType']);
  t.equal(back.nonce, fields.nonce);
  t.equal(back.signatureType, 'PKCS1');
  t.same(
    Buffer.from(back.certificate, 'base64'),
    derFromPem(card.signCert),
    'the signing certificate, not the encryption one',
  );
  t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(fields.tbs, 'utf8'), Buffer.from(back.signature, 'base64')));
  t.notMatch(res.body, PIN, 'the PIN is not echoed');
  t.notMatch(res.body, /<script|style=/, 'no inline script or style');
  t.match(String(res.headers['content-security-policy']), /form-action 'self' http:\/\/localhost:3000/);
});

t.test('the form may ask for a CMS signature, which openssl verifies', async (t) => {
  const s = await signer(t);
  const fields = form({ signatureType: 'PKCS7' });
  const res = await postForm(`${s.url}/nojs/sign`, fields, fromPortal);
  const back = formFields(res.body);
  t.equal(back.signatureType, 'PKCS7');
  const verified = opensslVerifyCms(Buffer.from(back.signature, 'base64'));
  t.ok(verified.ok);
  t.equal(verified.content.toString('utf8'), fields.tbs);
});

t.test('CRLF line ends added by the browser are signed as the challenge text with LF', async (t) => {
  const s = await signer(t);
  const fields = form();
  const res = await postForm(`${s.url}/nojs/sign`, { ...fields, tbs: fields.tbs.replace(/\n/g, '\r\n') }, fromPortal);
  const back = formFields(res.body);
  t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(fields.tbs, 'utf8'), Buffer.from(back.signature, 'base64')));
});

t.test('the English page has lang="en" and English words', async (t) => {
  const s = await signer(t);
  const res = await postForm(`${s.url}/nojs/sign`, form({ lang: 'en' }), fromPortal);
  t.match(res.body, /<html lang="en">/);
  t.match(res.body, /Certificate loaded\./);
  t.match(res.body, />OK<\/button>/);
});

t.test('a wrong PIN answers the tries left and links back to the portal page', async (t) => {
  const s = await signer(t);
  const res = await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal);
  t.match(res.body, /data-error="wrong_pin"/);
  t.match(res.body, /PIN碼錯誤/);
  t.match(res.body, /還可以再試 2 次/);
  t.match(res.body, /href="http:\/\/localhost:3000\/login\/certificate"/);
  t.notMatch(res.body, /<form/, 'nothing to post back');
});

t.test('three wrong PINs lock the soft card, and the lock outlives a restart', async (t) => {
  const file = copyCard(card.p12);
  const s = await signer(t, [file]);
  const left = [];
  for (let i = 0; i < 3; i++) {
    const res = await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal);
    left.push(/data-error="(\w+)"/.exec(res.body)?.[1]);
  }
  t.same(left, ['wrong_pin', 'wrong_pin', 'locked']);
  const right = await postForm(`${s.url}/nojs/sign`, form(), fromPortal);
  t.match(right.body, /data-error="locked"/, 'even the right PIN is refused');
  await s.close();
  const again = await signer(t, [file]);
  const after = await postForm(`${again.url}/nojs/sign`, form(), fromPortal);
  t.match(after.body, /data-error="locked"/);
  t.match(after.body, /PIN碼已鎖定/);
});

t.test('a right PIN resets the wrong-PIN count', async (t) => {
  const s = await signer(t);
  await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal);
  await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal);
  t.match((await postForm(`${s.url}/nojs/sign`, form(), fromPortal)).body, /憑證載入完成/);
  t.match((await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal)).body, /還可以再試 2 次/);
});

t.test('a missing PIN and a PIN of the wrong format never reach the card', async (t) => {
  const file = copyCard(card.p12);
  const s = await signer(t, [file]);
  t.match((await postForm(`${s.url}/nojs/sign`, form({ pin: '' }), fromPortal)).body, /data-error="no_pin"/);
  for (const pin of ['12345', '123456789', '12345!', '１２３４５６']) {
    t.match((await postForm(`${s.url}/nojs/sign`, form({ pin }), fromPortal)).body, /data-error="bad_pin_format"/, pin);
  }
  t.match((await postForm(`${s.url}/nojs/sign`, form(), fromPortal)).body, /憑證載入完成/, 'no try was used up');
  t.match((await postForm(`${s.url}/nojs/sign`, form({ pin: '654321' }), fromPortal)).body, /還可以再試 2 次/);
});

t.test('a page of a site not on the allow-list is refused', async (t) => {
  const s = await signer(t);
  const evil = 'https://evil.example';
  const res = await postForm(`${s.url}/nojs/sign`, form({ returnUrl: `${evil}/steal` }), {
    Origin: evil,
    Referer: `${evil}/x`,
  });
  t.equal(res.status, 403);
  t.match(res.body, /data-error="site_not_trusted"/);
  t.match(res.body, /此網站未受信任/);
  t.notMatch(res.body, /evil\.example/, 'no link or form to the untrusted site');
});

t.test('a challenge of the portal posted by another site is refused', async (t) => {
  const s = await signer(t, [copyCard(card.p12)]);
  const other = await startSigner({
    port: 0,
    allowOrigins: [PORTAL, 'https://other.example'],
    p12: [copyCard(card.p12)],
  });
  t.teardown(() => other.close());
  const res = await postForm(`${other.url}/nojs/sign`, form({ returnUrl: 'https://other.example/cb' }), {
    Origin: 'https://other.example',
  });
  t.match(res.body, /data-error="site_not_trusted"/, 'the origin inside the text must equal the caller');
  void s;
});

t.test('a return URL off the allow-list or on another origin than the caller is refused', async (t) => {
  const s = await signer(t);
  t.match(
    (await postForm(`${s.url}/nojs/sign`, form({ returnUrl: 'https://evil.example/cb' }), fromPortal)).body,
    /site_not_trusted/,
  );
  t.match(
    (await postForm(`${s.url}/nojs/sign`, form({ returnUrl: 'javascript:alert(1)' }), fromPortal)).body,
    /site_not_trusted/,
  );
  t.match(
    (await postForm(`${s.url}/nojs/sign`, form({ returnUrl: '/relative' }), fromPortal)).body,
    /site_not_trusted/,
  );
});

t.test('without Origin the Referer tells the caller; with neither, or Origin null, the signer refuses', async (t) => {
  const s = await signer(t);
  t.match(
    (await postForm(`${s.url}/nojs/sign`, form(), { Referer: `${PORTAL}/register/certificate` })).body,
    /憑證載入完成/,
  );
  t.match((await postForm(`${s.url}/nojs/sign`, form(), {})).body, /site_not_trusted/);
  t.match((await postForm(`${s.url}/nojs/sign`, form(), { Origin: 'null' })).body, /site_not_trusted/);
});

t.test('a nonce that is not the challenge nonce, or malformed, is refused', async (t) => {
  const s = await signer(t);
  const res = await postForm(`${s.url}/nojs/sign`, form({ nonce: 'B'.repeat(43) }), fromPortal);
  t.equal(res.status, 400);
  t.match(res.body, /data-error="bad_request"/);
  t.match((await postForm(`${s.url}/nojs/sign`, form({ nonce: '<x>' }), fromPortal)).body, /bad_request/);
});

t.test('a malformed challenge is refused and other text is signed for the allowed site', async (t) => {
  const s = await signer(t);
  const c = form();
  t.match((await postForm(`${s.url}/nojs/sign`, { ...c, tbs: c.tbs + '\nextra: 1' }, fromPortal)).body, /bad_request/);
  const other = await postForm(`${s.url}/nojs/sign`, { ...c, tbs: '請簽署這段文字' }, fromPortal);
  t.match(other.body, /憑證載入完成/);
  t.ok(
    opensslVerifyPkcs1(
      card.signPub,
      Buffer.from('請簽署這段文字'),
      Buffer.from(formFields(other.body).signature, 'base64'),
    ),
  );
});

t.test('a cancel answers 「使用者已取消動作」 with a link back', async (t) => {
  const s = await signer(t);
  const res = await postForm(`${s.url}/nojs/sign`, { ...form(), cancel: '取消' }, fromPortal);
  t.match(res.body, /data-error="cancelled"/);
  t.match(res.body, /使用者已取消動作/);
  t.match(res.body, /href="http:\/\/localhost:3000\/login\/certificate"/);
});

t.test('no card inserted and no reader at all get their own messages', async (t) => {
  const missing = await signer(t, [`${card.dir}/not-there.p12`]);
  t.match((await postForm(`${missing.url}/nojs/sign`, form(), fromPortal)).body, /data-error="no_card"[^]*未插入IC卡/);
  const none = await signer(t, []);
  t.match((await postForm(`${none.url}/nojs/sign`, form(), fromPortal)).body, /data-error="no_reader"[^]*找不到讀卡機/);
});

t.test('a card with only the encryption certificate refuses to sign', async (t) => {
  const s = await signer(t, [copyCard(card.encryptionOnlyP12)]);
  const res = await postForm(`${s.url}/nojs/sign`, form(), fromPortal);
  t.match(res.body, /data-error="no_signing_certificate"/);
  t.match(res.body, /加密用憑證不能用來簽章/);
});

t.test('a text over 64 KiB and a body over the limit get a clear error', async (t) => {
  const s = await signer(t);
  const big = await postForm(`${s.url}/nojs/sign`, form({ tbs: 'x'.repeat(64 * 1024 + 1) }), fromPortal);
  t.equal(big.status, 413);
  t.match(big.body, /data-error="tbs_too_large"/);
  const huge = await postForm(`${s.url}/nojs/sign`, form({ tbs: 'x'.repeat(300 * 1024) }), fromPortal);
  t.equal(huge.status, 413);
  t.match((await postForm(`${s.url}/nojs/sign`, form(), fromPortal)).body, /憑證載入完成/, 'still serving');
});

t.test('the stylesheet is a file and the status page lists the card without secrets', async (t) => {
  const s = await signer(t);
  const css = await http(`${s.url}/signer.css`);
  t.equal(css.status, 200);
  t.match(String(css.headers['content-type']), /text\/css/);
  const home = await http(`${s.url}/`);
  t.match(home.body, /憑證元件正在執行/);
  t.match(home.body, /http:\/\/localhost:3000/);
  t.notMatch(home.body, PIN);
  t.equal((await http(`${s.url}/nothing`)).status, 404);
});

t.test('a Host header other than the loopback address is refused (DNS rebinding)', async (t) => {
  const s = await signer(t);
  const res = await http(`${s.url}/`, { headers: { Host: `evil.example:${s.port}` } });
  t.equal(res.status, 421);
});

t.test("with several cards the signer's own page chooses the card in use; the form may name one", async (t) => {
  const s = await startSigner({
    port: 0,
    allowOrigins: [PORTAL],
    p12: [
      { p12File: copyCard(card.p12), cardSerial: 'TP03000000000001', label: 'first' },
      { p12File: copyCard(card.p12), cardSerial: 'TP03000000000002', label: 'second' },
    ],
  });
  t.teardown(() => s.close());
  const serialOf = async (extra: Record<string, string> = {}) =>
    formFields((await postForm(`${s.url}/nojs/sign`, form(extra), fromPortal)).body).cardSerial;
  t.equal(await serialOf(), 'TP03000000000001', 'the first card by default');
  t.equal(await serialOf({ cardSerial: 'TP03000000000002' }), 'TP03000000000002', 'named in the form');
  const home = await http(`${s.url}/`);
  t.match(home.body, /<input type="radio" name="cardSerial" id="card-1" value="TP03000000000002">/);
  const refused = await postForm(`${s.url}/cards/insert`, { cardSerial: 'TP03000000000002' }, { Origin: PORTAL });
  t.equal(refused.status, 403, 'a web page cannot change the card');
  const inserted = await postForm(`${s.url}/cards/insert`, { cardSerial: 'TP03000000000002' }, { Origin: s.url });
  t.equal(inserted.status, 303);
  t.equal(await serialOf(), 'TP03000000000002');
  t.equal((await postForm(`${s.url}/cards/insert`, { cardSerial: 'NOPE' }, { Origin: s.url })).status, 403);
});

t.test('error pages link back to the backUrl of the form, never to another site', async (t) => {
  const s = await signer(t);
  const own = await postForm(
    `${s.url}/nojs/sign`,
    form({ pin: '654321', backUrl: `${PORTAL}/register/certificate?step=2` }),
    { Origin: PORTAL, Referer: `${PORTAL}/` },
  );
  t.match(own.body, /href="http:\/\/localhost:3000\/register\/certificate\?step=2"/);
  const foreign = await postForm(`${s.url}/nojs/sign`, form({ pin: '654321', backUrl: 'https://evil.example/' }), {
    Origin: PORTAL,
  });
  t.notMatch(foreign.body, /evil\.example/);
  t.match(foreign.body, /href="http:\/\/localhost:3000\/"/, 'the site’s home page as the last resort');
});
