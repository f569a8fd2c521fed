// X-Forwarded-For is believed only from the reverse proxies TRUST_PROXY names; by default from nobody, in every mode,
// so a client cannot pick its own address for rate limits, lockouts, login history or the audit trail.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';
import { loadConfig, ConfigError } from '../../server/config';

const PRODUCTION = {
  NODE_ENV: 'production',
  PUBLIC_ORIGIN: 'https://portal.example',
  SESSION_SECRET: 'a-secret-of-at-least-thirty-two-characters!',
  // Production needs a mail relay; nothing here sends mail (a closed port on loopback).
  SMTP_URL: 'smtp://127.0.0.1:9',
  MAIL_FROM: 'no-reply@portal.example',
};

async function recordedAddressOfFailedLogin(
  env: Record<string, string>,
  from: string,
  forwardedFor: string,
): Promise<string> {
  const ctx = await buildTestApp(env);
  try {
    const browser = new Browser(ctx.app, from);
    const page = await browser.get('/login/password');
    const refused = await browser.post(
      '/login/password',
      { _csrf: csrfFrom(page.body), idNumber: 'A123456789', password: 'Wrong1Password' },
      { 'x-forwarded-for': forwardedFor },
    );
    if (refused.statusCode !== 401) throw new Error(`the login was not refused as expected (${refused.statusCode})`);
    const { rows } = await ctx.db.pool.query('SELECT ip FROM login_attempts ORDER BY id DESC LIMIT 1');
    return rows[0].ip;
  } finally {
    await ctx.close();
  }
}

t.test('TRUST_PROXY is none by default, in production too', async (t) => {
  t.equal(loadConfig({}).trustProxy, false);
  t.equal(loadConfig(PRODUCTION).trustProxy, false);
  t.equal(loadConfig({ TRUST_PROXY: 'none' }).trustProxy, false);
});

t.test('TRUST_PROXY takes addresses, CIDRs and range names', async (t) => {
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16' }).trustProxy, ['10.0.0.5', '192.168.0.0/16']);
  t.same(loadConfig({ TRUST_PROXY: 'loopback,fd00::/8' }).trustProxy, ['loopback', 'fd00::/8']);
});

for (const bad of ['yes', 'true', '2', '10.0.0.300', '10.0.0.0/33', 'proxy.example', '10.0.0.1,,evil']) {
  t.test(`TRUST_PROXY=${bad} is refused with one line naming it`, async (t) => {
    const error = t.throws(() => loadConfig({ TRUST_PROXY: bad })) as ConfigError;
    t.type(error, ConfigError);
    t.equal(error.variable, 'TRUST_PROXY');
  });
}

// Login history records the address the portal believes (demo mode: its cookies work over plain HTTP in inject).
t.test('a forged X-Forwarded-For is not believed: the socket address is recorded', async (t) => {
  t.equal(await recordedAddressOfFailedLogin({}, '198.51.100.7', '203.0.113.66'), '198.51.100.7');
});

t.test('from a proxy TRUST_PROXY names, the forwarded client address is recorded', async (t) => {
  t.equal(
    await recordedAddressOfFailedLogin({ TRUST_PROXY: '198.51.100.0/24' }, '198.51.100.7', '203.0.113.66'),
    '203.0.113.66',
  );
});

t.test('a client that is not the named proxy cannot forward for anyone', async (t) => {
  t.equal(
    await recordedAddressOfFailedLogin({ TRUST_PROXY: '10.0.0.5' }, '198.51.100.7', '203.0.113.66'),
    '198.51.100.7',
  );
});

t.test('in production, changing X-Forwarded-For does not escape the per-address rate limit', async (t) => {
  const ctx = await buildTestApp({ ...PRODUCTION, RATE_LIMIT_PER_MINUTE: '5' });
  t.teardown(ctx.close);
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    const response = await ctx.app.inject({
      method: 'GET',
      url: '/',
      remoteAddress: '198.51.100.8',
      headers: { 'x-forwarded-for': `203.0.113.${i}` },
    });
    statuses.push(response.statusCode);
  }
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429, 429], 'one address, one budget');
});

t.test(
  'in production behind a named TLS proxy, X-Forwarded-Proto https lets the Secure session cookie be set',
  async (t) => {
    const ctx = await buildTestApp({ ...PRODUCTION, TRUST_PROXY: '10.0.0.5' });
    t.teardown(ctx.close);
    const page = await ctx.app.inject({
      method: 'GET',
      url: '/login/password',
      remoteAddress: '10.0.0.5',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    t.equal(page.statusCode, 200);
    const cookie = page.cookies.find((c) => c.name === 'sw_sid');
    t.ok(cookie, 'a session cookie');
    t.equal(cookie?.secure, true);
  },
);
