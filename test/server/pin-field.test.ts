// One PIN field on every page that asks for the card's PIN: the hint linked to it, the error at it, and no numeric
// keyboard (the PIN may have letters: 6 to 8 letters or digits).
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { loadMessages } from '../../server/plugins/i18n';
import { detailsFor } from '../register/helpers';

const ROOT = new URL('../../', import.meta.url).pathname;
const messages = loadMessages();
const ctx = await buildTestApp();
t.teardown(ctx.close);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.njk') ? [path] : [];
  });
}

/** The PIN <input>, its attributes by name, and the text of the element each id of its aria-describedby names. */
function pinField(html: string) {
  const tag = /<input\b[^>]*\bname="pin"[^>]*>/.exec(html)?.[0];
  if (!tag) return undefined;
  const attributes = new Map<string, string>();
  for (const [, name, value] of tag.matchAll(/\s([a-z-]+)(?:="([^"]*)")?/g)) attributes.set(name, value ?? '');
  const described = (attributes.get('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  const textOf = (id: string) => new RegExp(`<p [^>]*id="${id}"[^>]*>([\\s\\S]*?)</p>`).exec(html)?.[1];
  return { tag, attributes, described, textOf };
}

async function citizenCertificateStep(client: Browser) {
  const form = await client.get('/register/citizen');
  const details = await client.post('/register/citizen', {
    _csrf: csrfFrom(form.body),
    ...detailsFor({ holderName: '王小明', idNumber: 'A123456789' }),
  });
  if (details.statusCode !== 303) throw new Error(`details refused: ${details.statusCode}`);
  return client.get('/register/citizen/certificate');
}

const PAGES: Array<[string, (client: Browser) => Promise<LightMyRequestResponse>]> = [
  ['/login/certificate', (c) => c.get('/login/certificate')],
  ['/login/organisation-certificate', (c) => c.get('/login/organisation-certificate')],
  ['/login/forgot-password', (c) => c.get('/login/forgot-password')],
  ['/login/unlock', (c) => c.get('/login/unlock')],
  ['/register/citizen', (c) => c.get('/register/citizen')],
  ['/register/citizen/certificate', citizenCertificateStep],
  ['/register/organisation/certificate', (c) => c.get('/register/organisation/certificate?category=enterprise')],
];

for (const [name, open] of PAGES)
  t.test(`${name}: the PIN field takes letters and digits, its hint linked`, async (t) => {
    const page = await open(new Browser(ctx.app, uniqueAddress()));
    t.equal(page.statusCode, 200);
    const field = pinField(page.body);
    t.ok(field, 'a PIN field');
    if (!field) return;
    const { attributes, described, textOf } = field;
    t.notOk(
      attributes.has('inputmode'),
      `no inputmode (a numeric pad hides letters): ${field.tag.replace(/\s+/g, ' ')}`,
    );
    t.equal(attributes.get('id'), 'pin', 'the error summary links to #pin');
    t.equal(attributes.get('type'), 'password');
    t.equal(attributes.get('autocomplete'), 'off');
    t.equal(attributes.get('maxlength'), '8');
    t.ok(attributes.has('required'));
    t.equal(attributes.get('aria-required'), 'true');
    t.notOk(attributes.has('aria-invalid'), 'no error yet');
    t.same(described, ['pin-hint'], 'aria-describedby names the hint');
    t.equal(textOf('pin-hint'), messages['zh-TW']['signing.pinHint'], 'the hint is the one PIN rule');
    t.match(page.body, /<label for="pin">[^<]*(<span[^>]*>[^<]*<\/span>)?\s*PIN碼<\/label>/, 'a label for it');
  });

t.test('a refusal is shown at the PIN field and linked from it', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await citizenCertificateStep(client);
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)![1];
  const res = await client.post('/register/citizen/certificate', {
    _csrf: csrfFrom(page.body),
    nonce,
    signature: 'not base64!',
    certificate: 'x',
  });
  t.equal(res.statusCode, 400);
  const field = pinField(res.body)!;
  t.same(field.described, ['pin-hint', 'pin-error'], 'the hint and the error');
  t.equal(field.attributes.get('aria-invalid'), 'true');
  t.match(field.textOf('pin-error'), /簽章資料格式錯誤/);
  t.notOk(field.attributes.has('inputmode'));
});

t.test('the PIN <input> is written once, in the macro the pages import', async (t) => {
  const writers = files(join(ROOT, 'views'))
    .filter((file) => /name="pin"/.test(readFileSync(file, 'utf8')))
    .map((file) => file.slice(ROOT.length));
  t.same(writers, ['views/macros/pin.njk']);
});
