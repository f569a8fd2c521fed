// Every package the code imports is declared in package.json, so a clean `npm ci` installs it: the portal, the signer
// and the demo PKI (what `npm start` runs) from "dependencies", tests, benchmarks and scripts from either list. A
// package reached only through another one's dependencies (esbuild through tsx, once) would break on its next release.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'fixtures' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

/** The package a bare import specifier names: `@scope/name` or `name`, without a subpath. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? undefined : name;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return found.flatMap((s) => packageOf(s) ?? []);
}

t.test('the package name of an import specifier', async (t) => {
  t.equal(packageOf('pg'), 'pg');
  t.equal(packageOf('@fastify/view'), '@fastify/view');
  t.equal(packageOf('node-forge/lib/asn1'), 'node-forge');
  t.equal(packageOf('node:fs'), undefined);
  t.equal(packageOf('fs'), undefined);
  t.equal(packageOf('../db/pool'), undefined);
});

t.test('what npm start runs imports only "dependencies"', async (t) => {
  const production = ['server', 'signer', 'demo-pki'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
  t.ok(production.length > 100, 'the production sources are found');
  const used = new Set(production.flatMap(importsOf));
  t.ok(used.has('fastify') && used.has('esbuild'), 'imports are read');
  for (const name of [...used].sort()) t.ok(name in manifest.dependencies, `${name} is in dependencies`);
});

t.test('tests, benchmarks and scripts import only declared packages', async (t) => {
  const other = ['test', 'scripts'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
  const declared = { ...manifest.dependencies, ...manifest.devDependencies };
  for (const name of [...new Set(other.flatMap(importsOf))].sort()) t.ok(name in declared, `${name} is declared`);
});
