// What operators see of the password lockout: 已鎖定 only while a lock is in force, and 解除鎖定 clearing every count.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { hashPassword } from '../../server/auth/passwords';
import { createAccount, createCast, csrfTokenFor, postForm } from './fixtures';

const clock = movableClock();
const ctx = await buildTestApp({}, { now: clock.now });
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const operatorCsrf = await csrfTokenFor(ctx.app, cast.cookies.operator);
const PASSWORD = 'Correct1Horse';
const passwordHash = await hashPassword(PASSWORD);

async function login(address: string, idNumber: string, password: string) {
  const browser = new Browser(ctx.app, address);
  const form = await browser.get('/login/password');
  return browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password });
}

const asOperator = (url: string) => ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });
const listRow = async (idNumber: string) => {
  const list = await asOperator(`/admin/accounts?q=${idNumber}`);
  return /<tbody>[\s\S]*?<\/tbody>/.exec(list.body)?.[0] ?? '';
};

t.test('one wrong password does not show the account as locked, nor offer 解除鎖定', async (t) => {
  const user = await createAccount(pool, { passwordHash, name: '吳一次' });
  t.equal((await login(uniqueAddress(), user.idNumber, 'Wrong1Password')).statusCode, 401);
  const row = await listRow(user.idNumber);
  t.match(row, /吳一次/);
  t.notMatch(row, /已鎖定/, 'the list does not say 已鎖定');
  const detail = await asOperator(`/admin/accounts/${user.id}`);
  t.notMatch(detail.body, /鎖定至|暫停至/);
  t.notMatch(detail.body, new RegExp(`/admin/accounts/${user.id}/unlock"`), 'nothing to unlock');
  t.equal((await asOperator(`/admin/accounts/${user.id}/unlock`)).statusCode, 409);
});

t.test('a lock of one source shows as locked, says what it is, and can be unlocked', async (t) => {
  const user = await createAccount(pool, { passwordHash, name: '鄭來源' });
  const address = uniqueAddress();
  for (let i = 0; i < 5; i++) {
    await login(address, user.idNumber, 'Wrong1Password');
    clock.advance(16_000);
  }
  t.match(await listRow(user.idNumber), /已鎖定/);
  const detail = await asOperator(`/admin/accounts/${user.id}`);
  t.match(detail.body, /1 個來源的密碼登入暫停至/);
  t.match(detail.body, new RegExp(`/admin/accounts/${user.id}/unlock"`));
});

t.test(
  '解除鎖定 clears the locks and waits of every source, so the right password works at once from each',
  async (t) => {
    const user = await createAccount(pool, { passwordHash, name: '蔡解鎖' });
    const locked = uniqueAddress();
    const waiting = uniqueAddress();
    for (let i = 0; i < 5; i++) {
      await login(locked, user.idNumber, 'Wrong1Password');
      clock.advance(16_000);
    }
    await login(waiting, user.idNumber, 'Wrong1Password');
    await login(waiting, user.idNumber, 'Wrong1Password');
    const res = await postForm(ctx.app, `/admin/accounts/${user.id}/unlock`, cast.cookies.operator, {
      _csrf: operatorCsrf,
      reason: '本人來電確認',
    });
    t.equal(res.statusCode, 303);
    const { rows } = await pool.query(
      "SELECT details FROM audit_events WHERE subject_account_id = $1 AND action = 'account.unlock'",
      [user.id],
    );
    t.match(rows, [{ details: { failedLogins: 6, lockedSources: 1, accountLocked: false } }]);
    t.notMatch(await listRow(user.idNumber), /已鎖定/);
    t.equal(
      (await login(waiting, user.idNumber, PASSWORD)).statusCode,
      303,
      'no wait left for the source that had one',
    );
    t.equal((await login(locked, user.idNumber, PASSWORD)).statusCode, 303, 'no lock left for the source that had one');
  },
);
