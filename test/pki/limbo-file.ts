// Where the x509-limbo suite lives: beside the repository, never inside it (it is Apache-2.0 and large; see docs/pki.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/x509-limbo/limbo.json relative to the repository root (X509_LIMBO_PATH overrides it). */
export function limboPath(): string {
  if (process.env.X509_LIMBO_PATH) return process.env.X509_LIMBO_PATH;
  return fileURLToPath(new URL('../../../shared/x509-limbo/limbo.json', import.meta.url));
}

export function limboAvailable(): boolean {
  return existsSync(limboPath());
}

/** The clock for limbo cases that give no validation time (the suite's certificates run 1970–2969). */
export const LIMBO_NOW = new Date('2026-03-01T00:00:00Z');
