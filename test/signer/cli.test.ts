// The signer's command line: its own option parser, and `npm run signer` inserting the demo cards.
import { spawn } from 'node:child_process';
import { writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseArgs, CliError } from '../../signer/cli.js';
import { http, makeTestCard, tempDir } from './fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('repeatable options collect every value; --opt=value works too', async (t) => {
  const options = parseArgs([
    '--p12',
    'a.p12',
    '--p12=b.p12',
    '--allow-origin',
    'https://a.example',
    '--allow-origin=http://localhost:3000/',
    '--port',
    '0',
    '--lang',
    'en',
  ]);
  t.same(options.p12, ['a.p12', 'b.p12']);
  t.same(options.allowOrigins, ['https://a.example', 'http://localhost:3000']);
  t.equal(options.port, 0);
  t.equal(options.lang, 'en');
});

t.test('PKCS#11 takes a module and a slot', async (t) => {
  const options = parseArgs(['--pkcs11', '/usr/lib/softhsm/libsofthsm2.so', '--slot', '1']);
  t.equal(options.pkcs11, '/usr/lib/softhsm/libsofthsm2.so');
  t.equal(options.slot, 1);
});

t.test('bad options are refused with a message naming them', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', '70000'], /--port/],
    [['--port'], /--port needs a value/],
    [['--lang', 'fr'], /--lang must be zh-TW or en/],
    [['--allow-origin', 'https://a.example/path'], /--allow-origin/],
    [['--allow-origin', 'file:///x'], /--allow-origin/],
    [['--slot', '1'], /--slot needs --pkcs11/],
    [['--nope'], /unknown option --nope/],
  ];
  for (const [args, message] of cases)
    t.throws(() => parseArgs(args), { constructor: CliError, message }, args.join(' '));
});

t.test('with no card option the demo cards are inserted and their PINs printed', async (t) => {
  const card = makeTestCard();
  const demoDir = tempDir('sw-signer-demo-');
  copyFileSync(card.p12, join(demoDir, 'wang.p12'));
  writeFileSync(
    join(demoDir, 'manifest.json'),
    JSON.stringify({
      intermediates: [{ id: 'g3', certFile: card.caCert }],
      cards: [
        {
          id: 'wang-xiaoming',
          holderName: '王小明',
          idLast4: '6789',
          pin: '123456',
          cardSerial: 'TP03000123456789',
          p12File: 'wang.p12',
          signingCertFile: card.signCert,
          encryptionCertFile: card.encCert,
          revoked: false,
          issuer: 'g3',
        },
      ],
    }),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'signer/main.ts', '--demo-dir', demoDir, '--port', '0', '--quiet'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.teardown(() => {
    child.kill();
  });
  const out = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (/Cards 卡片:.*\n/.test(text)) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`signer exited ${code}: ${text}`)));
  });
  t.match(out, /TP03000123456789\s+王小明\s+PIN 123456/);
  t.match(out, /Trusted sites 信任的網站: http:\/\/localhost:3000/);
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
  const info = JSON.parse((await http(`${url}/pkcs11info`)).body);
  t.equal(info.slots[0].token.serialNumber, 'TP03000123456789');
  t.equal(info.slots.length, 1, 'one reader: the card in use');
  const usages = info.slots[0].token.certs.map((c: { usage: string }) => c.usage);
  t.same(
    usages,
    ['digitalSignature', 'keyEncipherment|dataEncipherment', 'keyCertSign|cRLSign'],
    'the certificate files are shown before any PIN, the card’s CA last',
  );
});
