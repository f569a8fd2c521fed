// A text browser (lynx) reads every public page and the forms that need no card: JavaScript and CSS play no part.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { buildTestApp } from '../helpers/app';

const run = promisify(execFile);
const LYNX = '/usr/bin/lynx';
if (!existsSync(LYNX)) {
  if (process.env.CI === 'true') throw new Error('lynx is missing: .ci/run installs it (apt-get install lynx)');
  t.plan(0, 'lynx is not installed here');
}

const ctx = await buildTestApp();
t.teardown(ctx.close);
await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const { port } = ctx.app.server.address() as { port: number };
const base = `http://127.0.0.1:${port}`;

async function dump(path: string): Promise<string> {
  const { stdout } = await run(
    LYNX,
    ['-dump', '-nolist', '-display_charset=utf-8', '-assume_charset=utf-8', '-accept_all_cookies', `${base}${path}`],
    {
      env: { ...process.env, LANG: 'C.UTF-8', HOME: '/tmp' },
      timeout: 20_000,
    },
  );
  return stdout;
}

const PAGES: Array<[string, string[]]> = [
  ['/', ['關港貿單一窗口', '分眾導覽', '一般民眾/首頁', '單一登入', '通關服務(帶憑證)', '軟體下載']],
  ['/about', ['關於單一窗口', '回首頁']],
  ['/faq', ['常見問題']],
  ['/manual', ['註冊簡易手冊', '準備工作']],
  ['/downloads', ['軟體下載']],
  ['/login', ['新版自然人憑証登入', '帳號密碼登入']],
  ['/login/password', ['身分證號', '密碼', '送出']],
  ['/login/certificate', ['PIN碼', '載入憑証']],
  ['/register', ['申請類別', '個人', '報關專責人員', '政府機關', '送出', '重填']],
  ['/register/citizen', ['聯絡人姓名', '身分證號或統一編號', '檢核是否存在', '出生年月日', '設定登入密碼', 'Email1']],
];

for (const [path, texts] of PAGES) {
  t.test(`lynx reads ${path} with its menu and its content`, async (t) => {
    const text = await dump(path);
    for (const expected of texts) t.ok(text.includes(expected), `${path} shows ${expected}`);
    t.ok(text.includes('分眾導覽'), 'the left menu is there');
  });
}

t.test('lynx shows the English pages after the language switch link', async (t) => {
  const text = await dump('/lang/en?next=/login');
  t.match(text, /Single sign-on/);
  t.match(text, /Citizen Digital Certificate login/);
});
