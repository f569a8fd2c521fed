// public/js is for old browsers and kiosk terminals: every file must parse as ES5 (DESIGN.md §7).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { PUBLIC_DIR } from '../../server/app';

const dir = join(PUBLIC_DIR, 'js');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .sort();

t.test('public/js holds the scripts the pages load', async (t) => {
  // Not vacuous: portal.js is always there, so a broken glob or a moved folder fails here.
  t.ok(files.includes('portal.js'), 'portal.js is found');
  t.ok(files.length >= 1);
});

for (const file of files) {
  t.test(`public/js/${file} parses as ES5`, async (t) => {
    const source = readFileSync(join(dir, file), 'utf8');
    t.doesNotThrow(() => parse(source, { ecmaVersion: 5, sourceType: 'script' }), file);
  });
}

t.test('an ES2015 construct is refused by the same check', async (t) => {
  t.throws(() => parse('const x = () => 1;', { ecmaVersion: 5, sourceType: 'script' }));
});
