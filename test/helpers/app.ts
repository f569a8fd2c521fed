// Builds the real app on a test schema; tests drive it with app.inject.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../server/config';
import { buildApp, type AppOptions } from '../../server/app';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_SESSION_SECRET } from './session';

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

export async function buildTestApp(
  env: Record<string, string> = {},
  options: Pick<AppOptions, 'cardVerifier' | 'now'> = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: `/tmp/sw-portal-test-${db.schema}`,
    START_SIGNER: 'false',
    ...env,
  });
  const app = await buildApp({ config, pool: db.pool, sessionSecret: TEST_SESSION_SECRET, ...options });
  await app.ready();
  return {
    app,
    db,
    config,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** A clock a test moves by hand (pass `now` to buildTestApp): waits are tested without sleeping. */
export function movableClock(start = new Date()): { now: () => Date; advance(ms: number): void } {
  let at = start.getTime();
  return {
    now: () => new Date(at),
    advance(ms: number) {
      at += ms;
    },
  };
}

let addressCount = 0;

/** A client address no other browser in this process has (the rate limits count per address). */
export function uniqueAddress(): string {
  addressCount += 1;
  return `10.${(addressCount >> 16) & 255}.${(addressCount >> 8) & 255}.${addressCount & 255}`;
}

/**
 * A tiny cookie jar so a test can walk several requests as one browser. Without a remote address its requests come
 * from inject's default address; give it `uniqueAddress()` when per-address rate limits must not add up across browsers.
 */
export class Browser {
  cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    readonly remoteAddress?: string,
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, ...this.from(), headers: { cookie: this.cookieHeader, ...headers } }),
    );
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        ...this.from(),
        headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }

  private from(): { remoteAddress?: string } {
    return this.remoteAddress === undefined ? {} : { remoteAddress: this.remoteAddress };
  }
}

/** The CSRF token a rendered page carries. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1];
}
