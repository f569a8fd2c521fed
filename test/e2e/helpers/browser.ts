/**
 * Browser test harness: the real portal on a test schema, driven by Debian's Chromium through playwright-core.
 *
 *   import t from 'tap';
 *   import { startPortal, expectAxeClean, expectMenuReachableByKeyboard } from '../e2e/helpers/browser';
 *
 *   const portal = await startPortal();            // app listening on http://localhost:<free port>, own schema
 *   t.teardown(portal.close);                      // closes pages, browser, app and schema
 *
 *   t.test('the registration page works without JavaScript', async (t) => {
 *     const page = await portal.newPage({ js: false, lang: 'en' });   // js: true by default; lang: 'zh-TW' by default
 *     await page.goto(portal.url('/register'));
 *     await expectAxeClean(page, t);               // no serious or critical axe-core violation
 *     await expectMenuReachableByKeyboard(page, t);
 *   });
 *
 * - startPortal({ env, installersDir }) takes extra configuration (as environment variables, e.g. { KIOSK: 'true' })
 *   and where the certificate component's packages are for the download catalogue (default: none listed). `portal.config.publicOrigin` is the origin the browser
 *   uses (http://localhost:<port>), so signing challenges bind the right origin; serve a signer on 127.0.0.1 for a
 *   second site, as in production (DESIGN.md §3.5).
 * - `portal.app` is the Fastify instance, `portal.db.pool` the test schema's pool (seed accounts with it).
 * - Each newPage() is a fresh browser context: its own cookies, so one page is one user.
 * - Pages keep the portal's strict CSP. expectAxeClean copies the page's current DOM (scripts removed: the DOM already
 *   shows what they did) into a separate JavaScript-on context with bypassCSP, where axe-core runs; so it works for
 *   JavaScript-off pages too and never weakens the page under test.
 * - Chromium: /usr/bin/chromium (CHROMIUM_PATH overrides), headless, a fresh profile per launch (playwright creates
 *   a temporary user-data-dir), no network side channels.
 */
import { readFileSync } from 'node:fs';
import { axeCacheKey, readAxeCache, writeAxeCache } from './axe-cache';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { loadConfig, type Config } from '../../../server/config';
import { buildApp } from '../../../server/app';
import { startBackgroundServices, type BackgroundServices } from '../../../server/startup';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The tap assertions the helpers use. */
export type Assert = Pick<Test, 'same' | 'ok' | 'equal'>;

export interface NewPageOptions {
  /** JavaScript on (default) or off. */
  js?: boolean;
  /** Interface language, set as the portal's lang cookie before the first request. */
  lang?: 'zh-TW' | 'en';
  /** Viewport; default a desktop 1280×900. Use { width: 390, height: 844 } for a phone. */
  viewport?: { width: number; height: number };
}

export interface Portal {
  /** http://localhost:<port> */
  origin: string;
  url(path: string): string;
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
  newPage(options?: NewPageOptions): Promise<Page>;
  browser(): Promise<Browser>;
  close(): Promise<void>;
}

export interface StartPortalOptions {
  /** Extra configuration, as environment variables (KIOSK, SIGNER_URL, …). */
  env?: Record<string, string>;
  /** Folder of an installers build (manifest.json + packages) for the download catalogue; default DATA_DIR/installers. */
  installersDir?: string;
}

/** A port free on that host right now (the portal's public origin must be known before it starts). */
export async function freePort(host = 'localhost'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let sharedBrowser: Promise<Browser> | undefined;
let axePage: Promise<Page> | undefined;

/** One Chromium per test file, launched on first use. */
export function launchBrowser(): Promise<Browser> {
  sharedBrowser ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return sharedBrowser;
}

export async function startPortal(options: StartPortalOptions = {}): Promise<Portal> {
  const db = await createTestDatabase();
  let app: FastifyInstance | undefined;
  let config: Config | undefined;
  let background: BackgroundServices | undefined;
  // Another process may take the port between the probe and the listen: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    config = loadConfig({
      LOG_LEVEL: 'silent',
      HOST: 'localhost',
      PORT: String(port),
      PUBLIC_ORIGIN: `http://localhost:${port}`,
      DATA_DIR: `/tmp/sw-portal-e2e-${db.schema}`,
      START_SIGNER: 'false',
      RATE_LIMIT_PER_MINUTE: '100000',
      ...options.env,
    });
    app = await buildApp({ config, pool: db.pool, sessionSecret: 'e2e-secret-e2e-secret-e2e-secret-012345' });
    background = await startBackgroundServices(app, config, {
      downloads: options.installersDir ? { installersDir: options.installersDir } : {},
    });
    try {
      await app.listen({ port, host: 'localhost' });
      break;
    } catch (error) {
      await background.stop();
      await app.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 4) {
        await db.close();
        throw error;
      }
    }
  }
  const origin = config.publicOrigin;
  const contexts = new Set<BrowserContext>();

  return {
    origin,
    url: (path: string) => new URL(path, origin).toString(),
    app,
    db,
    config,
    browser: launchBrowser,
    async newPage(pageOptions: NewPageOptions = {}) {
      const browser = await launchBrowser();
      const context = await browser.newContext({
        javaScriptEnabled: pageOptions.js ?? true,
        viewport: pageOptions.viewport ?? { width: 1280, height: 900 },
        locale: pageOptions.lang === 'en' ? 'en-US' : 'zh-TW',
      });
      contexts.add(context);
      if (pageOptions.lang) {
        await context.addCookies([{ name: 'lang', value: pageOptions.lang, url: origin }]);
      }
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      contexts.clear();
      if (sharedBrowser) {
        const browser = sharedBrowser;
        sharedBrowser = undefined;
        axePage = undefined;
        await (await browser).close().catch(() => {});
      }
      await background?.stop();
      await app!.close();
      await db.close();
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page's current DOM; returns every violation. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const url = page.url();
  // The DOM as the user sees it now, without scripts: their effects are already in it.
  const html = await page.content();
  const snapshot = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  // The same DOM at the same size gives the same answer: a page seen again (in this file or another of the run) is
  // not checked twice.
  const key = axeCacheKey(snapshot, viewport);
  const known = readAxeCache<AxeViolation[]>(key);
  if (known) return known;
  axePage ??= launchBrowser().then(async (browser) => {
    const context = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
    return context.newPage();
  });
  const checker = await axePage;
  await checker.setViewportSize(viewport);
  await checker.unrouteAll();
  // Same URL, so the stylesheets load from the portal and colour contrast is measured on the real styles.
  await checker.route(url, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: snapshot }),
  );
  await checker.goto(url, { waitUntil: 'load' });
  await checker.addScriptTag({ content: AXE_SOURCE });
  const violations = await checker.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  writeAxeCache(key, violations);
  return violations;
}

/** Asserts no serious or critical axe-core violation. With t, a tap assertion; without, throws with the list. */
export async function expectAxeClean(page: Page, t?: Assert): Promise<AxeViolation[]> {
  const violations = await runAxe(page);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = serious.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).join(', ')})`);
  if (t) t.same(summary, [], `axe: no serious or critical violation on ${page.url()}`);
  else if (summary.length) throw new Error(`axe violations on ${page.url()}:\n${summary.join('\n')}`);
  return violations;
}

export interface FocusStop {
  tag: string;
  href: string | null;
  text: string;
}

/** Presses Tab `count` times and reports where the focus went; on a freshly loaded page that starts from the top. */
export async function tabOrder(page: Page, count: number): Promise<FocusStop[]> {
  const stops: FocusStop[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return {
          tag: el?.tagName.toLowerCase() ?? '',
          href: el?.getAttribute('href') ?? null,
          text: (el?.textContent ?? '').trim(),
        };
      }),
    );
  }
  return stops;
}

/** On a freshly loaded page, Tab from the top: the skip link comes first, then every link of the left menu in order. */
export async function expectMenuReachableByKeyboard(page: Page, t: Assert): Promise<void> {
  const menu = await page.$$eval('.side-menu a', (links) => links.map((a) => a.getAttribute('href')));
  t.ok(menu.length >= 10, 'the left menu has its links');
  const stops = await tabOrder(page, menu.length + 8);
  t.equal(stops[0]?.href, '#main', 'the skip link is the first Tab stop');
  const reached = stops.map((s) => s.href);
  let from = 0;
  for (const href of menu) {
    const at = reached.indexOf(href, from);
    t.ok(at >= 0, `menu link ${href} is reached by Tab, in order`);
    if (at >= 0) from = at + 1;
  }
  // The skip link moves the focus to the main content.
  await page.focus('.skip-link');
  await page.keyboard.press('Enter');
  t.equal(await page.evaluate(() => document.activeElement?.id), 'main', 'the skip link focuses the main content');
}
