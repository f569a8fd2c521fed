// Logs a browser in as an account by writing a real session row and a signed session cookie, the way the portal does.
// For tests of pages behind a login, so they do not depend on the login journey itself.
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { Pool } from '../../server/db/pool';
import { SESSION_COOKIE, type SessionUser } from '../../server/plugins/session';
import { sessionsRepository } from '../../server/db/sessions-repository';

export const TEST_SESSION_SECRET = 'test-secret-test-secret-test-secret-0123';

export async function sessionCookieFor(
  pool: Pool,
  user: Omit<SessionUser, 'loggedInAt'> & { loggedInAt?: number },
): Promise<string> {
  const sid = randomBytes(24).toString('base64url');
  const now = Date.now();
  const sess = {
    cookie: { originalMaxAge: null, expires: null, path: '/', httpOnly: true, sameSite: 'lax', secure: false },
    user: { loggedInAt: now, ...user },
    lastSeenAt: now,
  };
  await sessionsRepository(pool).save(sid, sess, new Date(now + 3600_000));
  return `${SESSION_COOKIE}=${encodeURIComponent(fastifyCookie.sign(sid, TEST_SESSION_SECRET))}`;
}
