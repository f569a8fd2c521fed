// Screenshots of the main pages at desktop and phone size, JavaScript off (the default path), for docs/screenshots/.
// Runs the real portal on a throw-away test schema (DATABASE_URL must point at a PostgreSQL test database), in Chromium.
//   DATABASE_URL=postgres://… npx tsx scripts/screenshots.ts [out-dir] [path …]
import { mkdirSync } from 'node:fs';
import { startPortal } from '../test/e2e/helpers/browser';

const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const PAGES: Array<[string, string]> = [
  ['home', '/'],
  ['register-chooser', '/register'],
  ['register-details', '/register/citizen?category=individual'],
  ['login', '/login'],
  ['downloads', '/downloads'],
  ['personal-data', '/personal-data'],
  ['accessibility', '/accessibility'],
];

const outDir = process.argv[2] ?? 'docs/screenshots';
const only = process.argv.slice(3);
mkdirSync(outDir, { recursive: true });
const portal = await startPortal();
try {
  for (const [name, path] of PAGES.filter(([, p]) => only.length === 0 || only.includes(p))) {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      const page = await portal.newPage({ js: false, viewport });
      await page.goto(portal.url(path));
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      await page.screenshot({ path: `${outDir}/${name}-${size}.png`, fullPage: true });
      process.stdout.write(
        `${outDir}/${name}-${size}.png${overflow > 0 ? ` (scrolls sideways by ${overflow}px)` : ''}\n`,
      );
      await page.context().close();
    }
  }
} finally {
  await portal.close();
}
