import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, utimesSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildTestApp } from '../helpers/app';
import { downloadsRepository } from '../../server/db/downloads-repository';
import { syncDownloadsCatalogue, manualItem, PROJECT_ROOT } from '../../server/downloads/catalogue';
import { fileInfo } from '../../server/downloads/file-info';
import { contentDisposition } from '../../server/routes/downloads/file';

const ctx = await buildTestApp();
t.teardown(ctx.close);

const manualPath = join(PROJECT_ROOT, 'public/downloads/registration-manual.txt');
const manualSha = createHash('sha256').update(readFileSync(manualPath)).digest('hex');
const noSigner = mkdtempSync(join(tmpdir(), 'sw-no-signer-'));

/** A signer build as `npm run build:signer` leaves it: the package and manifest.json. */
function fakeSignerBuild(version: string, date: string): { dir: string; sha256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-'));
  const body = Buffer.from(`signer package ${version}\n`);
  const fileName = `sw-signer-${version}.zip`;
  writeFileSync(join(dir, fileName), body);
  const sha256 = createHash('sha256').update(body).digest('hex');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version, date, fileName, size: body.length, sha256 }));
  return { dir, sha256 };
}

t.test('without a signer build the catalogue lists only the registration manual', async (t) => {
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { signerDir: noSigner }), ['registration-manual']);
  const res = await ctx.app.inject({ url: '/downloads' });
  t.equal(res.statusCode, 200);
  t.match(res.body, /<h1>軟體下載<\/h1>/);
  t.match(res.body, /<td[^>]*>1\.<\/td>\s*<td[^>]*><a href="\/downloads\/registration-manual">註冊簡易手冊<\/a><\/td>/);
  t.notMatch(res.body, /\/downloads\/signer/);
});

t.test('the detail page shows the real size and SHA-256 of the file and a 檔案下載 link', async (t) => {
  const res = await ctx.app.inject({ url: '/downloads/registration-manual' });
  t.equal(res.statusCode, 200);
  t.match(res.body, /檔案下載/);
  t.match(res.body, /href="\/downloads\/registration-manual\/file"/);
  t.ok(res.body.includes(manualSha), 'SHA-256 of the file on disk');
  t.ok(res.body.includes(`${readFileSync(manualPath).length} 位元組`), 'exact size');
  t.match(res.body, /<a href="\/downloads">軟體下載<\/a>/, 'breadcrumb back to the list');
});

t.test('the detail page is in English with the language cookie', async (t) => {
  const res = await ctx.app.inject({ url: '/downloads/registration-manual', cookies: { lang: 'en' } });
  t.match(res.body, /<h1>Registration quick guide<\/h1>/);
  t.match(res.body, /File download/);
});

t.test('the file downloads as an attachment with its length and bytes intact', async (t) => {
  const res = await ctx.app.inject({ url: '/downloads/registration-manual/file' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; charset=utf-8/);
  t.equal(
    res.headers['content-disposition'],
    `attachment; filename="sw-portal-registration-manual.txt"; filename*=UTF-8''sw-portal-registration-manual.txt`,
  );
  t.equal(Number(res.headers['content-length']), readFileSync(manualPath).length);
  t.equal(createHash('sha256').update(res.rawPayload).digest('hex'), manualSha);
});

t.test('the downloadable manual carries the same steps as the manual page', async (t) => {
  const text = readFileSync(manualPath, 'utf8');
  for (const step of [
    '○、準備工作',
    '一、新版自然人憑證註冊',
    '二、新版自然人憑証登入',
    '載入憑証',
    '憑證載入完成。',
    '戶政事務所',
  ]) {
    t.ok(text.includes(step), step);
  }
});

t.test('a non-ASCII file name gets an ASCII fallback and an RFC 5987 name', async (t) => {
  t.equal(
    contentDisposition('憑證元件.zip'),
    `attachment; filename="____.zip"; filename*=UTF-8''%E6%86%91%E8%AD%89%E5%85%83%E4%BB%B6.zip`,
  );
});

t.test('a signer build is listed first, newest, with its own size and SHA-256', async (t) => {
  const build = fakeSignerBuild('1.2.0', manualItem().publishedOn);
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { signerDir: build.dir }), ['signer', 'registration-manual']);
  const list = await ctx.app.inject({ url: '/downloads' });
  t.match(
    list.body,
    /<td[^>]*>1\.<\/td>\s*<td[^>]*><a href="\/downloads\/signer">憑證元件 1\.2\.0版本<\/a><\/td>/,
    'first even on the same date',
  );
  t.match(list.body, /<td[^>]*>2\.<\/td>\s*<td[^>]*><a href="\/downloads\/registration-manual">/);
  const detail = await ctx.app.inject({ url: '/downloads/signer' });
  t.equal(detail.statusCode, 200);
  t.ok(detail.body.includes(build.sha256));
  const file = await ctx.app.inject({ url: '/downloads/signer/file' });
  t.equal(file.statusCode, 200);
  t.equal(file.headers['content-type'], 'application/zip');
  t.equal(file.body, 'signer package 1.2.0\n');
});

t.test('a newer signer build updates its item in place', async (t) => {
  const build = fakeSignerBuild('1.3.0', '2030-01-02');
  await syncDownloadsCatalogue(ctx.db.pool, { signerDir: build.dir });
  const items = await downloadsRepository(ctx.db.pool).list();
  t.same(
    items.map((i) => [i.slug, i.version, i.publishedOn]),
    [
      ['signer', '1.3.0', '2030-01-02'],
      ['registration-manual', '1.0', manualItem().publishedOn],
    ],
  );
});

t.test('a manifest whose package is missing is not listed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ version: '9', date: '2030-01-01', fileName: 'gone.zip', size: 1, sha256: 'x' }),
  );
  const messages: string[] = [];
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { signerDir: dir, log: (m) => messages.push(m) }), [
    'registration-manual',
  ]);
  t.match(messages[0], /gone\.zip is missing/);
  t.equal(await downloadsRepository(ctx.db.pool).findBySlug('signer'), undefined);
});

t.test('a manifest naming a path outside its folder is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ version: '9', date: '2030-01-01', fileName: '../../etc/passwd', size: 1, sha256: 'x' }),
  );
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { signerDir: dir }), ['registration-manual']);
});

t.test('a listed item whose file is missing gives the 404 page, not a crash', async (t) => {
  await downloadsRepository(ctx.db.pool).upsert({
    ...manualItem(),
    slug: 'vanished',
    filePath: 'public/downloads/no-such-file.txt',
  });
  for (const url of ['/downloads/vanished', '/downloads/vanished/file']) {
    const res = await ctx.app.inject({ url });
    t.equal(res.statusCode, 404, url);
    t.match(res.body, /找不到網頁/);
  }
  await downloadsRepository(ctx.db.pool).deleteBySlug('vanished');
});

t.test('an unknown item gives the 404 page', async (t) => {
  t.equal((await ctx.app.inject({ url: '/downloads/no-such-item' })).statusCode, 404);
  t.equal((await ctx.app.inject({ url: '/downloads/no-such-item/file' })).statusCode, 404);
});

t.test('the SHA-256 is recomputed when the file changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-hash-'));
  const path = join(dir, 'f.bin');
  writeFileSync(path, 'one');
  const first = await fileInfo(path);
  t.equal(first?.sha256, createHash('sha256').update('one').digest('hex'));
  t.equal(await fileInfo(path), first, 'cached while mtime and size stay');
  writeFileSync(path, 'two');
  utimesSync(path, new Date(), new Date(Date.now() + 5000));
  t.equal((await fileInfo(path))?.sha256, createHash('sha256').update('two').digest('hex'));
  t.equal(await fileInfo(join(dir, 'missing')), undefined);
  mkdirSync(join(dir, 'folder'));
  t.equal(await fileInfo(join(dir, 'folder')), undefined, 'a folder is not a file');
});

t.test('the manual item points at a file inside the project', async (t) => {
  t.notMatch(relative(PROJECT_ROOT, join(PROJECT_ROOT, manualItem().filePath)), /^\.\./);
});

t.test('a signer built as one Node.js script is described with how to run it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-signer-'));
  writeFileSync(join(dir, 'sw-signer-2.0.0.mjs'), '#!/usr/bin/env node\n');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '2.0.0',
      date: '2030-02-03',
      fileName: 'sw-signer-2.0.0.mjs',
      size: 20,
      sha256: 'x',
      node: '>=20',
    }),
  );
  await syncDownloadsCatalogue(ctx.db.pool, { signerDir: dir });
  const zh = await ctx.app.inject({ url: '/downloads/signer' });
  t.match(zh.body, /node sw-signer-2\.0\.0\.mjs --help/);
  const en = await ctx.app.inject({ url: '/downloads/signer', cookies: { lang: 'en' } });
  t.match(en.body, /Certificate component, version 2\.0\.0/);
  const file = await ctx.app.inject({ url: '/downloads/signer/file' });
  t.match(file.headers['content-disposition'], /attachment; filename="sw-signer-2\.0\.0\.mjs"/);
});
