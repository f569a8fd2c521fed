import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, utimesSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildTestApp } from '../helpers/app';
import { downloadsRepository } from '../../server/db/downloads-repository';
import { syncDownloadsCatalogue, manualItem, PROJECT_ROOT } from '../../server/downloads/catalogue';
import { fileInfo } from '../../server/downloads/file-info';
import { contentDisposition } from '../../server/routes/downloads/file';
import { REGISTRATION_CATEGORIES } from '../../server/forms/category';
import { ORGANISATION_CATEGORIES, ORGANISATION_RULES } from '../../server/registration/organisation-rules';
import { initialStatus } from '../../server/registration/binding-rules';
import { loadMessages } from '../../server/plugins/i18n';

const ctx = await buildTestApp();
t.teardown(ctx.close);

const manualPath = join(PROJECT_ROOT, 'public/downloads/registration-manual.txt');
const manualSha = createHash('sha256').update(readFileSync(manualPath)).digest('hex');
const noInstallers = mkdtempSync(join(tmpdir(), 'sw-no-installers-'));

/** An installers folder as `npm run build:installers` leaves it: small stand-in packages and manifest.json. */
function fakeInstallersBuild(version: string, date: string, platforms = ['windows', 'macos', 'linux']) {
  const dir = mkdtempSync(join(tmpdir(), 'sw-installers-'));
  const names: Record<string, string> = {
    windows: `sw-signer-${version}-windows-x64.msi`,
    macos: `sw-signer-${version}-macos-x64.pkg`,
    linux: `sw-signer_${version}_amd64.deb`,
  };
  const packages = platforms.map((platform) => {
    const body = Buffer.from(`${platform} package ${version}\n`);
    writeFileSync(join(dir, names[platform]), body);
    return {
      platform,
      fileName: names[platform],
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      cardReaders: platform !== 'macos',
    };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ key: 'k', version, date, node: '20.20.2', packages }));
  return { dir, packages };
}

t.test('without an installers build the catalogue lists only the registration manual', async (t) => {
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: noInstallers }), ['registration-manual']);
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

const messages = loadMessages();
const categoryLabels = (lang: 'zh-TW' | 'en', codes: readonly string[] = REGISTRATION_CATEGORIES.map((c) => c.code)) =>
  codes.map((code) => messages[lang][`validation.categories.${code}`]);
/** The manual's Chinese without line breaks and indents, and its English with each run of spaces as one. */
function manualHalves(text: string): { zh: string; en: string } {
  const [zh, en] = text.split(/^-{20,}$/m);
  return { zh: zh.replace(/\s+/g, ''), en: en.replace(/\s+/g, ' ') };
}

t.test(
  'the downloadable manual names 工商憑證 and every category of the chooser, in Chinese and in English',
  async (t) => {
    const { zh, en } = manualHalves(readFileSync(manualPath, 'utf8'));
    t.equal(REGISTRATION_CATEGORIES.length, 11);
    for (const word of ['工商憑證', '政府憑證', '通關專屬憑證', '工商憑證登入', ...categoryLabels('zh-TW')]) {
      t.ok(zh.includes(word), `zh: ${word}`);
    }
    for (const word of [
      'business certificate',
      'government certificate',
      'customs-only certificate',
      'Business certificate login',
      ...categoryLabels('en'),
    ]) {
      t.ok(en.includes(word), `en: ${word}`);
    }
  },
);

t.test("the manual's licence and approval lists are the categories' own rules", async (t) => {
  const licence = ORGANISATION_CATEGORIES.filter((c) => ORGANISATION_RULES[c].licence);
  const atOnce = REGISTRATION_CATEGORIES.map((c) => c.code).filter((code) =>
    code === 'individual' || code === 'customs_specialist'
      ? initialStatus(code) === 'active'
      : !ORGANISATION_RULES[code].approval,
  );
  const { zh, en } = manualHalves(readFileSync(manualPath, 'utf8'));
  t.ok(zh.includes(`須填寫證照（許可）字號的類別：${categoryLabels('zh-TW', licence).join('、')}。`), 'zh licence');
  t.ok(zh.includes(`${categoryLabels('zh-TW', atOnce).join('及')}的帳號註冊後即可使用`), 'zh at once');
  const enLicence = categoryLabels('en', licence);
  t.ok(
    en.includes(
      `A licence or permit number is asked of: ${enLicence.slice(0, -1).join(', ')} and ${enLicence[enLicence.length - 1]}.`,
    ),
    'en licence',
  );
  t.ok(en.includes(`${categoryLabels('en', atOnce).join(' and ')} accounts can be used at once`), 'en at once');
  // The page says the same.
  const page = await ctx.app.inject({ url: '/manual' });
  t.ok(page.body.includes(`須填寫證照（許可）字號的類別：${categoryLabels('zh-TW', licence).join('、')}。`), 'page');
  for (const label of categoryLabels('zh-TW')) t.ok(page.body.includes(label), `page: ${label}`);
});

t.test('a non-ASCII file name gets an ASCII fallback and an RFC 5987 name', async (t) => {
  t.equal(
    contentDisposition('憑證元件.zip'),
    `attachment; filename="____.zip"; filename*=UTF-8''%E6%86%91%E8%AD%89%E5%85%83%E4%BB%B6.zip`,
  );
});

t.test('the three packages are listed first, newest, each with its own size and SHA-256', async (t) => {
  const build = fakeInstallersBuild('1.2.0', manualItem().publishedOn);
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: build.dir }), [
    'signer-windows',
    'signer-macos',
    'signer-linux',
    'registration-manual',
  ]);
  const list = await ctx.app.inject({ url: '/downloads' });
  t.match(
    list.body,
    /<td[^>]*>1\.<\/td>\s*<td[^>]*><a href="\/downloads\/signer-windows">憑證元件 1\.2\.0版本（Windows 安裝程式）<\/a><\/td>/,
    'first even on the same date',
  );
  t.match(
    list.body,
    /<td[^>]*>2\.<\/td>\s*<td[^>]*><a href="\/downloads\/signer-macos">憑證元件 1\.2\.0版本（macOS 安裝套件）/,
  );
  t.match(
    list.body,
    /<td[^>]*>3\.<\/td>\s*<td[^>]*><a href="\/downloads\/signer-linux">憑證元件 1\.2\.0版本（Linux 套件（\.deb））/,
  );
  t.match(list.body, /<td[^>]*>4\.<\/td>\s*<td[^>]*><a href="\/downloads\/registration-manual">/);
  for (const p of build.packages) {
    const detail = await ctx.app.inject({ url: `/downloads/signer-${p.platform}` });
    t.equal(detail.statusCode, 200);
    const file = await ctx.app.inject({ url: `/downloads/signer-${p.platform}/file` });
    t.equal(file.statusCode, 200);
    t.equal(file.body, `${p.platform} package 1.2.0\n`);
    const served = createHash('sha256').update(file.rawPayload).digest('hex');
    t.ok(detail.body.includes(`<code class="mono">${served}</code>`), `${p.platform}: SHA-256 of the served file`);
    t.ok(detail.body.includes(`${file.rawPayload.length} 位元組`), `${p.platform}: its size`);
  }
  const msi = await ctx.app.inject({ url: '/downloads/signer-windows/file' });
  t.equal(msi.headers['content-type'], 'application/x-msi');
  t.match(msi.headers['content-disposition'], /filename="sw-signer-1\.2\.0-windows-x64\.msi"/);
  const deb = await ctx.app.inject({ url: '/downloads/signer-linux/file' });
  t.equal(deb.headers['content-type'], 'application/vnd.debian.binary-package');
});

t.test('each package page has numbered install steps for its platform', async (t) => {
  const windows = await ctx.app.inject({ url: '/downloads/signer-windows' });
  const steps = /<section class="install-steps"[\s\S]*?<ol>([\s\S]*?)<\/ol>/.exec(windows.body);
  t.ok(steps, 'a 安裝步驟 list');
  t.match(windows.body, /<h2 id="install-steps-heading">安裝步驟<\/h2>/);
  t.equal(steps![1].match(/<li>/g)?.length, 5, 'five steps');
  t.match(steps![1], /按兩下 sw-signer-1\.2\.0-windows-x64\.msi 開始安裝/);
  const linux = await ctx.app.inject({ url: '/downloads/signer-linux', cookies: { lang: 'en' } });
  t.match(linux.body, /<h2 id="install-steps-heading">Installation steps<\/h2>/);
  t.match(linux.body, /sudo apt install \.\/sw-signer_1\.2\.0_amd64\.deb/);
  const macos = await ctx.app.inject({ url: '/downloads/signer-macos' });
  t.match(macos.body, /Rosetta 2/);
  t.match(macos.body, /不支援讀卡機/, 'says the macOS package has no card-reader add-on');
  const manual = await ctx.app.inject({ url: '/downloads/registration-manual' });
  t.notMatch(manual.body, /install-steps|signer-check/, 'the manual has neither');
});

t.test(
  "the 元件已啟動？ check works without JavaScript: the signer's picture with the page's text as fallback",
  async (t) => {
    const res = await ctx.app.inject({ url: '/downloads/signer-linux' });
    t.match(res.body, /<h2 id="signer-check-heading">元件已啟動？<\/h2>/);
    t.match(
      res.body,
      /<object data="http:\/\/127\.0\.0\.1:61161\/ready\.svg\?lang=zh-TW" type="image\/svg\+xml"[^>]*>\s*<p class="signer-check__missing" data-state="not-running">✖ 未偵測到憑證元件/,
    );
    t.match(res.body, /<a href="http:\/\/127\.0\.0\.1:61161\/\?lang=zh-TW">開啟元件的狀態頁<\/a>/);
    const csp = String(res.headers['content-security-policy']);
    t.match(csp, /object-src http:\/\/127\.0\.0\.1:61161/, "the page may show the signer's picture");
    t.match(csp, /img-src 'self' data: http:\/\/127\.0\.0\.1:61161/);
    t.match(csp, /frame-src http:\/\/127\.0\.0\.1:61161$/, 'an SVG in an <object> counts as a frame');
    const other = await ctx.app.inject({ url: '/downloads' });
    t.match(String(other.headers['content-security-policy']), /object-src 'none'/, 'other pages keep object-src none');
  },
);

t.test('a newer build updates the items in place; a platform no longer built is removed', async (t) => {
  const build = fakeInstallersBuild('1.3.0', '2030-01-02', ['windows', 'linux']);
  await syncDownloadsCatalogue(ctx.db.pool, { installersDir: build.dir });
  const items = await downloadsRepository(ctx.db.pool).list();
  t.same(
    items.map((i) => [i.slug, i.version, i.publishedOn]),
    [
      ['signer-windows', '1.3.0', '2030-01-02'],
      ['signer-linux', '1.3.0', '2030-01-02'],
      ['registration-manual', manualItem().version, manualItem().publishedOn],
    ],
  );
});

t.test('a manifest whose package is missing does not list it', async (t) => {
  const build = fakeInstallersBuild('9', '2030-01-01');
  rmSync(join(build.dir, build.packages[0].fileName));
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: build.dir }), [
    'signer-macos',
    'signer-linux',
    'registration-manual',
  ]);
  t.equal(await downloadsRepository(ctx.db.pool).findBySlug('signer-windows'), undefined);
});

t.test('a manifest naming a path outside its folder is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-installers-'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '9',
      date: '2030-01-01',
      node: '20',
      packages: [{ platform: 'linux', fileName: '../../etc/passwd', size: 1, sha256: 'x', cardReaders: true }],
    }),
  );
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: dir }), ['registration-manual']);
});

t.test('a manifest that is not JSON is reported and lists nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-installers-'));
  writeFileSync(join(dir, 'manifest.json'), '{');
  const messages: string[] = [];
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: dir, log: (m) => messages.push(m) }), [
    'registration-manual',
  ]);
  t.match(messages[0], /manifest\.json is not JSON/);
});

t.test('the single-file script item of earlier versions is removed', async (t) => {
  await downloadsRepository(ctx.db.pool).upsert({ ...manualItem(), slug: 'signer' });
  await syncDownloadsCatalogue(ctx.db.pool, { installersDir: noInstallers });
  t.equal(await downloadsRepository(ctx.db.pool).findBySlug('signer'), undefined);
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
