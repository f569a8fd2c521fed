// `npm run lint` (eslint .): typescript-eslint's recommended rules, no import cycle, and the layering of the tree:
//  - server/pki/ is the certificate engine; everything outside it imports the engine through server/pki/index.ts only.
//    Tests of the engine's internals (test/pki/) may import its files directly: they test those files.
//  - demo-pki/ is tooling (the demo CAs, OCSP responder, PKCS#12 writer). No production code imports it; server/app.ts
//    and server/demo/start.ts load it with a dynamic import() in demo mode only, and no other file of server/ may.
//  - server/routes/ holds routes only (a request in, a page or redirect out): work that needs a transaction is a service
//    in server/registration/, server/auth/, server/admin/ …, so no route opens one.
//  - signer/ is bundled into a download: of the portal it may use the engine's index (whose DER module the bundle keeps) only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

// From server/ the engine is '../pki/…'; from elsewhere '…/server/pki/…' (test/pki/fixtures is no part of the engine).
const ENGINE_DEEP_FROM_SERVER = {
  regex: '(^|/)pki/(?!index(\\.js)?$)',
  message: 'Import the certificate engine through server/pki/index.ts, not its files.',
};
const ENGINE_DEEP = { ...ENGINE_DEEP_FROM_SERVER, regex: '(^|/)server/pki/(?!index(\\.js)?$)' };
const DEMO_PKI = {
  regex: '(^|/)demo-pki/',
  message: 'demo-pki/ is tooling: production code reads the demo PKI as data (server/demo/manifest.ts).',
};
const PORTAL_FROM_SIGNER = {
  regex: '(^|/)server/(?!pki/index(\\.js)?$)',
  message: 'The signer is bundled on its own: of the portal it may import server/pki/index.ts only.',
};
const TRANSACTION_FROM_ROUTES = {
  regex: '(^|/)db/transaction(\\.js)?$',
  message:
    'Routes open no transaction: put the work in a service (server/auth/, server/registration/, server/admin/ …).',
};
const restrict = (...patterns) => ['error', { patterns }];
const DYNAMIC_DEMO_IMPORT = {
  selector: 'ImportExpression[source.value=/(^|\\/)demo-pki\\//]',
  message: 'Only server/app.ts and server/demo/start.ts load demo-pki/, and only in demo mode.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '.tap/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads only .js files unless told otherwise: without these, no-cycle would see no TypeScript import.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'no-restricted-imports': restrict(ENGINE_DEEP),
      // The code marks a deliberately unused binding with a leading underscore (for (const _ of …), (_id) => …).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // A variable declared before the shutdown handler that reads it and assigned once later cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Fastify decorators get the reply as `this`; naming it (const reply = this) is clearer than working around it.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // Tests read JSON columns and answers loosely; a type for each would only restate the assertion beside it.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/pki/**'],
    rules: {
      'no-restricted-imports': restrict(ENGINE_DEEP_FROM_SERVER, DEMO_PKI),
      'no-restricted-syntax': ['error', DYNAMIC_DEMO_IMPORT],
    },
  },
  {
    files: ['server/routes/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(ENGINE_DEEP_FROM_SERVER, DEMO_PKI, TRANSACTION_FROM_ROUTES) },
  },
  {
    files: ['server/app.ts', 'server/demo/start.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['server/pki/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(DEMO_PKI),
      'no-restricted-syntax': ['error', DYNAMIC_DEMO_IMPORT],
    },
  },
  {
    files: ['signer/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(ENGINE_DEEP, DEMO_PKI, PORTAL_FROM_SIGNER),
      'no-restricted-syntax': ['error', DYNAMIC_DEMO_IMPORT],
    },
  },
  {
    files: ['test/pki/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The thin signing scripts: ES5 for old browsers, no modules (test/server/es5.test.ts parses them as ES5).
    files: ['public/js/**/*.js'],
    languageOptions: { ecmaVersion: 5, sourceType: 'script', globals: globals.browser },
    // ES5 has no catch without a binding: `catch (e) {}` is the only way to write it.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }] },
  },
  {
    // Client pages written after the public HiPKI samples: classic browser scripts sharing globals across files, as
    // those samples do, served to Chromium by the signer tests.
    files: ['test/signer/hipki-clients/**/*.js'],
    languageOptions: { ecmaVersion: 2017, sourceType: 'script', globals: globals.browser },
    rules: { '@typescript-eslint/no-unused-vars': 'off', 'no-undef': 'off' },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
);
