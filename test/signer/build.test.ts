// The download: the bundled single file runs with plain Node outside the project and serves the signer.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildSigner } from '../../signer/build.js';
import { SIGNER_VERSION } from '../../signer/version.js';
import {
  challenge,
  copyCard,
  http,
  makeTestCard,
  opensslVerifyPkcs1,
  PIN,
  PORTAL,
  postForm,
  tempDir,
} from './fixtures.js';

const outDir = tempDir('sw-signer-build-');
const built = await buildSigner({ outDir, now: new Date('2026-11-27T06:00:00Z') });

t.test('the manifest names the file with its version, date, size and SHA-256', async (t) => {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
  const bytes = readFileSync(join(outDir, manifest.fileName));
  t.equal(manifest.fileName, `sw-signer-${SIGNER_VERSION}.mjs`);
  t.equal(manifest.version, SIGNER_VERSION);
  t.equal(manifest.date, '2026-11-27');
  t.equal(manifest.size, bytes.length);
  t.equal(manifest.sha256, createHash('sha256').update(bytes).digest('hex'));
  t.match(bytes.toString('utf8', 0, 400), /^#!\/usr\/bin\/env node\n\/\/ sw-signer/);
  t.match(bytes.toString('utf8', 0, 2000), /npm install pkcs11js/, 'the header says how to use a card reader');
});

t.test('the bundle carries the DER module of the engine and no other file of the portal', async (t) => {
  const text = readFileSync(built.path, 'utf8');
  const portalFiles = [...text.matchAll(/^\/\/ (server\/\S+\.ts)$/gm)].map((m) => m[1]);
  t.same(portalFiles, ['server/pki/der.ts']);
});

t.test('node <bundle> --help and --version work outside the project', async (t) => {
  const help = spawnSync(process.execPath, [built.path, '--help'], { cwd: outDir, encoding: 'utf8' });
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: sw-signer/);
  const version = spawnSync(process.execPath, [built.path, '--version'], { cwd: outDir, encoding: 'utf8' });
  t.equal(version.stdout, `${SIGNER_VERSION}\n`);
  const bad = spawnSync(process.execPath, [built.path, '--bogus'], { cwd: outDir, encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown option --bogus/);
});

t.test('the bundled signer serves /pkcs11info and signs with a soft card', async (t) => {
  const card = makeTestCard();
  const child = spawn(
    process.execPath,
    [built.path, '--p12', copyCard(card.p12), '--port', '0', '--allow-origin', PORTAL, '--quiet'],
    {
      cwd: outDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  t.teardown(() => {
    child.kill();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`bundle exited ${code}`)));
  });
  const info = JSON.parse((await http(`${url}/pkcs11info`)).body);
  t.equal(info.ret_code, 0);
  t.equal(info.slots.length, 1);
  const tbs = challenge().text;
  const res = await postForm(
    `${url}/sign`,
    { tbsPackage: JSON.stringify({ tbs, pin: PIN, func: 'MakeSignature' }) },
    { Origin: PORTAL },
  );
  const json = JSON.parse(res.body);
  t.equal(json.ret_code, 0);
  t.ok(opensslVerifyPkcs1(card.signPub, Buffer.from(tbs), Buffer.from(json.signature, 'base64')));
});
