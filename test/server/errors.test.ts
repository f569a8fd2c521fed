// Error pages and operations: 404, 500 with a logged reference, 413, 429, 403 (CSRF), 503 with the database down
// (including the session store), recovery when the database returns, /healthz and /readyz.
import t from 'tap';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config';
import { buildApp, loggerOptions } from '../../server/app';
import { createPool, type Pool } from '../../server/db/pool';
import { SESSION_COOKIE } from '../../server/plugins/session';
import { createTestDatabase, TEST_DATABASE_URL } from '../helpers/db';
import { TEST_SESSION_SECRET } from '../helpers/session';

const db = await createTestDatabase();
t.teardown(db.close);

/** The real app on a given pool, its pino output captured line by line, plus two routes only tests have. */
async function appOn(
  pool: Pool,
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; logs: Array<Record<string, unknown>> }> {
  const logs: Array<Record<string, unknown>> = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line)) };
  const config = loadConfig({ DATA_DIR: `/tmp/sw-portal-test-${db.schema}`, START_SIGNER: 'false', ...env });
  const app = await buildApp({
    config,
    pool,
    sessionSecret: TEST_SESSION_SECRET,
    logger: { ...(loggerOptions('info') as object), stream } as never,
  });
  app.get('/test/boom', async () => {
    throw new Error('kaboom in a secret place');
  });
  app.post('/test/form', async () => 'accepted');
  await app.ready();
  return { app, logs };
}

const closedPort = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});
const sessionCookie = () =>
  `${SESSION_COOKIE}=${encodeURIComponent(fastifyCookie.sign(randomBytes(24).toString('base64url'), TEST_SESSION_SECRET))}`;

t.test('an unknown page is a 404 page in zh-TW and in English', async (t) => {
  const { app } = await appOn(db.pool);
  t.teardown(() => app.close());
  const zh = await app.inject({ url: '/nowhere' });
  t.equal(zh.statusCode, 404);
  t.match(zh.headers['content-type'], /text\/html/);
  t.match(zh.body, /<h1>找不到網頁<\/h1>/);
  const en = await app.inject({ url: '/nowhere', cookies: { lang: 'en' } });
  t.match(en.body, /<h1>Page not found<\/h1>/);
});

t.test('a failing request is a 500 page with a reference id that is in the log, and no stack trace', async (t) => {
  const { app, logs } = await appOn(db.pool);
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/test/boom' });
  t.equal(res.statusCode, 500);
  t.match(res.body, /<h1>系統發生錯誤<\/h1>/);
  const reference = /參考編號：([0-9a-f]{8})/.exec(res.body)?.[1];
  t.ok(reference, 'the page shows a reference');
  t.notMatch(res.body, /kaboom|secret place|\bat .*\.ts|Error:/, 'no error message or stack trace reaches the user');
  const logged = logs.find((line) => line.reference === reference);
  t.ok(logged, 'the reference is in the log');
  t.equal(logged?.level, 50, 'logged as an error');
  t.match(
    (logged?.err as { stack?: string })?.stack,
    /kaboom in a secret place/,
    'the log keeps the stack for the operator',
  );
  t.equal(
    logs.find((line) => line.reqId === reference && (line.req as object | undefined))?.reqId,
    reference,
    'the request id is the reference',
  );
});

t.test('the 500 page is in English with the language cookie', async (t) => {
  const { app } = await appOn(db.pool);
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/test/boom', cookies: { lang: 'en' } });
  t.match(res.body, /<h1>Something went wrong<\/h1>/);
  t.match(res.body, /Reference: [0-9a-f]{8}/);
});

t.test('an oversized body is refused with a 413 page', async (t) => {
  const { app } = await appOn(db.pool, { BODY_LIMIT_BYTES: '2048' });
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/test/form',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `note=${'x'.repeat(5000)}`,
  });
  t.equal(res.statusCode, 413);
  t.match(res.body, /<h1>送出的資料過大<\/h1>/);
});

t.test('too many requests are refused with a 429 page', async (t) => {
  const { app } = await appOn(db.pool, { RATE_LIMIT_PER_MINUTE: '3' });
  t.teardown(() => app.close());
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: '/about' })).statusCode, 200);
  const res = await app.inject({ url: '/about' });
  t.equal(res.statusCode, 429);
  t.match(res.headers['content-type'], /text\/html/);
  t.match(res.body, /<h1>操作過於頻繁<\/h1>/);
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'health checks are not limited');
});

t.test('a form without a CSRF token is refused with a 403 page', async (t) => {
  const { app } = await appOn(db.pool);
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/test/form',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'note=hello',
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /<h1>無法處理此表單<\/h1>/);
  t.notMatch(res.body, /accepted/);
});

t.test('a form with a wrong CSRF token is refused with a 403 page', async (t) => {
  const { app } = await appOn(db.pool);
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/test/form',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: sessionCookie() },
    payload: '_csrf=forged-token&note=hello',
  });
  t.equal(res.statusCode, 403);
});

t.test('/healthz and /readyz report the process and the database', async (t) => {
  const { app } = await appOn(db.pool);
  t.teardown(() => app.close());
  t.same((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  t.same((await app.inject({ url: '/readyz' })).json(), { status: 'ready' });
});

t.test('with the database unreachable, pages that need it are a 503 page and the process answers', async (t) => {
  const pool = createPool(`postgres://postgres@127.0.0.1:${closedPort}/test`);
  t.teardown(() => pool.end());
  const { app, logs } = await appOn(pool);
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/downloads' });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '30');
  t.match(res.body, /<h1>系統暫停服務<\/h1>/);
  t.notMatch(res.body, /ECONNREFUSED/);
  const en = await app.inject({ url: '/downloads', cookies: { lang: 'en' } });
  t.match(en.body, /<h1>Service temporarily unavailable<\/h1>/);
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, '/healthz: the process is alive');
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, '/readyz: not ready');
  t.equal((await app.inject({ url: '/about' })).statusCode, 200, 'pages without the database still work');
  t.ok(
    logs.some((line) => line.msg === 'database unavailable'),
    'the outage is logged',
  );
});

t.test('with the database unreachable, a request carrying a session cookie is a 503 page, not a 500', async (t) => {
  const pool = createPool(`postgres://postgres@127.0.0.1:${closedPort}/test`);
  t.teardown(() => pool.end());
  const { app } = await appOn(pool);
  t.teardown(() => app.close());
  for (const url of ['/', '/about']) {
    const res = await app.inject({ url, headers: { cookie: sessionCookie() } });
    t.equal(res.statusCode, 503, url);
    t.match(res.body, /系統暫停服務/);
  }
});

/** A TCP proxy in front of the real PostgreSQL that a test can cut and restore on the same port. */
class Outage {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

t.test('the portal recovers by itself when the database comes back', async (t) => {
  const target = new URL(TEST_DATABASE_URL);
  const outage = new Outage({ host: target.hostname, port: Number(target.port || 5432) });
  await outage.up();
  t.teardown(() => outage.down());
  const proxied = new URL(TEST_DATABASE_URL);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(outage.port);
  const pool = createPool(proxied.toString(), { searchPath: db.schema });
  t.teardown(() => pool.end());
  const { app } = await appOn(pool);
  t.teardown(() => app.close());

  t.equal((await app.inject({ url: '/downloads' })).statusCode, 200, 'up: the page works');
  await outage.down();
  t.equal((await app.inject({ url: '/downloads' })).statusCode, 503, 'down: 503 page');
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'down: not ready');
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'down: still alive');
  await outage.up();
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'back: ready again without a restart');
  t.equal((await app.inject({ url: '/downloads' })).statusCode, 200, 'back: the page works again');
});
