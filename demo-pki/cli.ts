// npm run demo-pki [-- make|list|revoke <cardId> [reason]|path]
// Makes the demo PKI into DATA_DIR/demo-pki (once), lists its cards, or revokes a card (CRL and OCSP follow).
import { resolve } from 'node:path';
import {
  CRL_REASONS,
  DEFAULT_BASE_URL,
  demoPkiDir,
  ensureDemoPki,
  loadDemoPki,
  revokeDemoCard,
  type CrlReasonName,
} from './demo-pki';

/** A command's output goes to stdout, one line each. */
const say = (line: string): void => void process.stdout.write(`${line}\n`);

const dir = process.env.DEMO_PKI_DIR
  ? resolve(process.env.DEMO_PKI_DIR)
  : demoPkiDir(resolve(process.env.DATA_DIR || 'data'));
const baseUrl = process.env.PUBLIC_ORIGIN || DEFAULT_BASE_URL;
const [command = 'make', ...args] = process.argv.slice(2);

function list(): void {
  const pki = loadDemoPki(dir);
  say(`demo PKI in ${dir} (URLs under ${pki.baseUrl}/demo-pki/)`);
  say(`trust anchor: ${pki.path(pki.manifest.root.certFile)}`);
  for (const c of pki.cards) {
    const state = c.revoked ? `REVOKED ${c.revokedAt} (${c.revocationReason})` : 'good';
    say(
      `  ${c.id.padEnd(14)} ${c.holderName}  ${c.idNumber}  PIN ${c.pin.padEnd(8)}  ${c.issuer}  ${c.purpose.padEnd(18)} ${state}  ${pki.path(c.p12File)}`,
    );
  }
}

async function main(): Promise<number> {
  switch (command) {
    case 'make': {
      const started = Date.now();
      const pki = await ensureDemoPki(dir, { baseUrl });
      if (pki.baseUrl !== baseUrl.replace(/\/+$/, '')) {
        console.warn(
          `note: the existing demo PKI points at ${pki.baseUrl}, not ${baseUrl}; delete ${dir} to make a new one`,
        );
      }
      say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      list();
      return 0;
    }
    case 'list':
      list();
      return 0;
    case 'revoke': {
      const [cardId, reason = 'keyCompromise'] = args;
      if (!cardId) {
        console.error('usage: npm run demo-pki -- revoke <cardId> [reason]');
        return 2;
      }
      if (!(reason in CRL_REASONS)) {
        console.error(`reason must be one of ${Object.keys(CRL_REASONS).join(', ')}`);
        return 2;
      }
      const pki = revokeDemoCard(dir, cardId, reason as CrlReasonName);
      const card = pki.card(cardId);
      say(
        `revoked ${card.id} (${card.holderName}): serials ${card.signingSerial}, ${card.encryptionSerial}; ${card.issuer}.crl re-issued`,
      );
      return 0;
    }
    case 'path':
      say(dir);
      return 0;
    default:
      console.error('usage: npm run demo-pki [-- make | list | revoke <cardId> [reason] | path]');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
