// A bad value stops the start with one clear line naming the variable.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../../server/config';
import { PROJECT_ROOT } from '../../server/downloads/catalogue';

const TSX = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const MAIN = join(PROJECT_ROOT, 'server/main.ts');
const SECRET = 'a-secret-of-at-least-thirty-two-characters!';

const bad: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['DATABASE_URL', 'mysql://db.example/portal'],
  ['DATABASE_URL', 'not a url'],
  ['PUBLIC_ORIGIN', 'ftp://portal.example'],
  ['PUBLIC_ORIGIN', 'portal.example'],
  ['SESSION_SECRET', 'too-short'],
  ['LOG_LEVEL', 'loud'],
  ['KIOSK', 'maybe'],
  ['KIOSK_IDLE_SECONDS', '5'],
  ['SESSION_IDLE_SECONDS', 'ten'],
  ['SESSION_ABSOLUTE_SECONDS', '1'],
  ['NODE_ENV', 'prod'],
  ['PORTAL_MODE', 'live'],
  ['SIGNER_URL', 'localhost:61161'],
  ['START_SIGNER', 'sometimes'],
  ['REVOCATION_MODE', 'crl-then-ocsp'],
  ['REVOCATION_FAIL_OPEN', 'perhaps'],
  ['BODY_LIMIT_BYTES', '-1'],
  ['RATE_LIMIT_PER_MINUTE', '0'],
  ['LOGIN_MAX_FAILURES', '1000'],
  ['LOGIN_LOCKOUT_MINUTES', '1.5'],
  ['REQUEST_TIMEOUT_SECONDS', '0'],
  ['REQUEST_TIMEOUT_SECONDS', 'thirty'],
  ['HEADERS_TIMEOUT_SECONDS', '-1'],
  ['HEADERS_TIMEOUT_SECONDS', '60'],
  ['KEEP_ALIVE_TIMEOUT_SECONDS', '601'],
  ['CONNECTION_TIMEOUT_SECONDS', '0.5'],
  ['LOGIN_ACCOUNT_MAX_FAILURES', '5'],
  ['LOGIN_DELAY_SECONDS', '61'],
  ['LOGIN_DELAY_MAX_SECONDS', '0'],
  ['SUPPORT_PHONE', '12345'],
  ['SUPPORT_PHONE', '0800-12-34'],
  ['SUPPORT_EMAIL', 'service@'],
  ['SUPPORT_HOURS', 'weekdays'],
  ['SUPPORT_HOURS', '5-1 08:30-17:30'],
  ['SUPPORT_HOURS', '1-5 17:30-08:30'],
  ['SUPPORT_HOURS', '1-8 08:30-17:30'],
];

for (const [variable, value] of bad) {
  t.test(`${variable}=${value} is refused with one line naming ${variable}`, async (t) => {
    const error = t.throws(() => loadConfig({ [variable]: value })) as ConfigError;
    t.type(error, ConfigError);
    t.equal(error.variable, variable);
    t.match(error.message, new RegExp(`^${variable}: `));
    t.notMatch(error.message, /\n/, 'one line');
  });
}

t.test('the defaults give a working demo configuration', async (t) => {
  const config = loadConfig({});
  t.equal(config.mode, 'demo');
  t.equal(config.port, 3000);
  t.equal(config.publicOrigin, 'http://localhost:3000');
  t.equal(config.databaseUrl, undefined);
});

t.test(
  'the service desk defaults to placeholder values, and a configured one is shown in canonical form',
  async (t) => {
    t.same(loadConfig({}).support, {
      phone: '(02)2345-6789',
      phoneE164: '+886223456789',
      email: 'service@example.com',
      hours: { fromDay: 1, toDay: 5, opens: '08:30', closes: '17:30' },
    });
    const configured = loadConfig({
      SUPPORT_PHONE: '0800 123 456',
      SUPPORT_EMAIL: 'Desk@Example.gov.tw',
      SUPPORT_HOURS: '1-6 09:00-18:00',
    }).support;
    t.same(configured, {
      phone: '0800-123-456',
      phoneE164: '+886800123456',
      email: 'Desk@example.gov.tw',
      hours: { fromDay: 1, toDay: 6, opens: '09:00', closes: '18:00' },
    });
    t.equal(loadConfig({ SUPPORT_PHONE: '02-2349-1234#9' }).support.phone, '(02)2349-1234#9');
  },
);

t.test('the server timeouts default to 30 s a request, 10 s headers, 5 s keep-alive, 60 s silence', async (t) => {
  const config = loadConfig({});
  t.equal(config.requestTimeoutSeconds, 30);
  t.equal(config.headersTimeoutSeconds, 10);
  t.equal(config.keepAliveTimeoutSeconds, 5);
  t.equal(config.connectionTimeoutSeconds, 60);
});

t.test('a header timeout longer than the request timeout is refused', async (t) => {
  const error = t.throws(() =>
    loadConfig({ REQUEST_TIMEOUT_SECONDS: '5', HEADERS_TIMEOUT_SECONDS: '6' }),
  ) as ConfigError;
  t.equal(error.variable, 'HEADERS_TIMEOUT_SECONDS');
  t.match(error.message, /REQUEST_TIMEOUT_SECONDS \(5\)/);
  t.equal(loadConfig({ REQUEST_TIMEOUT_SECONDS: '5', HEADERS_TIMEOUT_SECONDS: '5' }).headersTimeoutSeconds, 5);
});

t.test('production mode without SESSION_SECRET refuses to start', async (t) => {
  const error = t.throws(() =>
    loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://portal.example' }),
  ) as ConfigError;
  t.equal(error.variable, 'SESSION_SECRET');
  t.match(error.message, /required in production/);
});

t.test('production mode with a secret, an https origin and a mail relay is accepted', async (t) => {
  const config = loadConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: SECRET,
    PUBLIC_ORIGIN: 'https://portal.example',
    SMTP_URL: 'smtps://portal:relay-secret@mail.portal.example:465',
    MAIL_FROM: '關港貿單一窗口 <no-reply@portal.example>',
  });
  t.equal(config.mode, 'production');
});

t.test('demo mode without SMTP_URL has no mail relay (mails go to the log) and a placeholder sender', async (t) => {
  const config = loadConfig({});
  t.equal(config.mail.smtpUrl, undefined);
  t.equal(config.mail.from, '關港貿單一窗口 <no-reply@sw-portal.example>');
  t.equal(config.mail.timeoutSeconds, 10);
});

t.test('production mode refuses to start without a mail relay, then without a sender', async (t) => {
  const base = { NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_ORIGIN: 'https://portal.example' };
  const noRelay = t.throws(() => loadConfig(base)) as ConfigError;
  t.equal(noRelay.variable, 'SMTP_URL');
  t.match(noRelay.message, /required in production/);
  const noSender = t.throws(() => loadConfig({ ...base, SMTP_URL: 'smtp://mail.portal.example' })) as ConfigError;
  t.equal(noSender.variable, 'MAIL_FROM');
});

t.test('SMTP_URL must be an smtp or smtps URL, and its password is not repeated in the error', async (t) => {
  for (const bad of ['http://relay:hunter2secret@mail.example', 'mail.example:25', 'smtp://user:hunter2secret@/']) {
    const error = t.throws(() => loadConfig({ SMTP_URL: bad }), bad) as ConfigError;
    t.equal(error.variable, 'SMTP_URL');
    t.notMatch(error.message, /hunter2secret/, `${bad}: no password in the message`);
  }
  t.equal(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).mail.smtpUrl, 'smtp://127.0.0.1:2525');
  t.equal(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465' }).mail.smtpUrl, 'smtps://u:p@mail.example:465');
});

t.test('MAIL_FROM is an address or "Name <address>"; SMTP_TIMEOUT_SECONDS a whole number of seconds', async (t) => {
  t.equal(loadConfig({ MAIL_FROM: 'no-reply@customs.example.tw' }).mail.from, 'no-reply@customs.example.tw');
  t.equal(
    loadConfig({ MAIL_FROM: '單一窗口 <no-reply@customs.example.tw>' }).mail.from,
    '單一窗口 <no-reply@customs.example.tw>',
  );
  for (const bad of ['no-reply', '單一窗口 <no-reply>', '<a@b.example> <c@d.example>']) {
    const error = t.throws(() => loadConfig({ MAIL_FROM: bad }), bad) as ConfigError;
    t.equal(error.variable, 'MAIL_FROM');
  }
  t.equal(loadConfig({ SMTP_TIMEOUT_SECONDS: '3' }).mail.timeoutSeconds, 3);
  t.equal((t.throws(() => loadConfig({ SMTP_TIMEOUT_SECONDS: '0' })) as ConfigError).variable, 'SMTP_TIMEOUT_SECONDS');
});

t.test('production mode refuses a plain-http public origin', async (t) => {
  const error = t.throws(() =>
    loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_ORIGIN: 'http://portal.example' }),
  ) as ConfigError;
  t.equal(error.variable, 'PUBLIC_ORIGIN');
});

/** Runs `tsx server/main.ts` with the given environment until it exits. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [MAIN], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATA_DIR: '/tmp/sw-portal-config-test',
        START_SIGNER: 'false',
        ...env,
      },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

t.test('starting with a bad PORT prints one line naming PORT and exits non-zero', async (t) => {
  const result = await runMain({ PORT: 'eighty', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
  t.not(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /PORT/);
  t.equal(result.stdout, '');
});

t.test('starting in production mode without SESSION_SECRET prints one line and exits non-zero', async (t) => {
  const result = await runMain({
    NODE_ENV: 'production',
    PUBLIC_ORIGIN: 'https://portal.example',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  });
  t.not(result.code, 0);
  t.equal(result.stderr.trim().split('\n').length, 1, 'one line');
  t.match(result.stderr, /SESSION_SECRET/);
});

t.test('an unreachable database prints one line with the URL without its password and exits non-zero', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const result = await runMain({ DATABASE_URL: `postgres://portal:hunter2secret@127.0.0.1:${port}/portal` });
  t.not(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], new RegExp(`127\\.0\\.0\\.1:${port}/portal`), 'names the database');
  t.notMatch(result.stderr, /hunter2secret/, 'no password');
  t.equal(result.stdout, '');
});
