// The demo PKI's soft cards (its manifest.json), "inserted" when the signer starts without options.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { SoftCardConfig } from './tokens/pkcs12.js';

export interface DemoCard {
  id: string;
  holderName: string;
  idLast4?: string;
  pin: string;
  cardSerial: string;
  p12File: string;
  signingCertFile?: string;
  encryptionCertFile?: string;
  revoked?: boolean;
  /** The id of the demo CA that issued the card's certificates. */
  issuer?: string;
}

/** The demo CAs' certificate files by id (manifest.json `intermediates`), for the CA certificate a card carries. */
function demoCaFiles(dir: string): Map<string, string> {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      intermediates?: Array<{ id: string; certFile: string }>;
    };
    return new Map((manifest.intermediates ?? []).map((i) => [i.id, i.certFile]));
  } catch {
    return new Map();
  }
}

export function readDemoManifest(dir: string): DemoCard[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cards?: DemoCard[] };
  if (!Array.isArray(manifest.cards)) throw new Error(`${join(dir, 'manifest.json')}: no "cards" list`);
  return manifest.cards;
}

export function demoSoftCards(dir: string, cards: DemoCard[] = readDemoManifest(dir)): SoftCardConfig[] {
  const at = (file: string | undefined) => (file === undefined ? undefined : isAbsolute(file) ? file : join(dir, file));
  const caFiles = demoCaFiles(dir);
  return cards.map((card) => ({
    p12File: at(card.p12File) as string,
    cardSerial: card.cardSerial,
    label: `${card.holderName} (${card.id}${card.revoked ? ', revoked' : ''})`,
    signingCertFile: at(card.signingCertFile),
    encryptionCertFile: at(card.encryptionCertFile),
    caCertFiles: card.issuer && caFiles.has(card.issuer) ? [at(caFiles.get(card.issuer)) as string] : [],
  }));
}
