// The setup every signing browser test shares: a demo PKI in a fresh DATA_DIR with its repository served (CRLs where
// the certificates say), the portal trusting it in demo mode and checking revocation by CRL, fail-closed, and the
// local signer on another site (127.0.0.1) with the demo soft cards: two sites, as in production (DESIGN.md §3.5).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoCardSpec, DemoPki } from '../../../demo-pki/demo-pki';
import { startSigner, type RunningSigner, type StartSignerOptions } from '../../../signer/index';
import { startDemoRepository } from './demo-repository';
import { freePort, startPortal, type Portal } from './browser';

export interface SigningPortal {
  dataDir: string;
  pki: DemoPki;
  portal: Portal;
  signer: RunningSigner;
  /** Puts this demo card in the signer's reader. */
  insertCard(cardId: string): void;
  close(): Promise<void>;
}

export interface SigningPortalOptions {
  /** Prefix of the temporary DATA_DIR, for a reader of /tmp. */
  name: string;
  /** The demo PKI's cards; default its standard ones. */
  cards?: readonly DemoCardSpec[];
  /** Configuration beyond the signing setup (LOGIN_DELAY_SECONDS, SMTP_URL …). */
  env?: Record<string, string>;
  /** The signer's cards and options, given the demo PKI; default the demo PKI's soft cards. */
  signer?: (pki: DemoPki, dataDir: string) => Partial<StartSignerOptions>;
}

/** Starts the three; `close` stops them and removes the DATA_DIR (tests pass it to t.teardown). */
export async function startSigningPortal(options: SigningPortalOptions): Promise<SigningPortal> {
  const dataDir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const repository = await startDemoRepository(dataDir, options.cards);
  const pki = repository.pki;
  const signerPort = await freePort('127.0.0.1');
  const portal = await startPortal({
    env: {
      DATA_DIR: dataDir,
      SIGNER_URL: `http://127.0.0.1:${signerPort}`,
      REVOCATION_MODE: 'crl',
      REVOCATION_FAIL_OPEN: 'false',
      ...options.env,
    },
  });
  const signer = await startSigner({
    port: signerPort,
    allowOrigins: [portal.origin],
    lang: 'zh-TW',
    stateDir: join(dataDir, 'signer-state'),
    ...(options.signer ? options.signer(pki, dataDir) : { demoPkiDir: pki.dir }),
  });
  return {
    dataDir,
    pki,
    portal,
    signer,
    insertCard(cardId) {
      signer.service.insertedCard = pki.card(cardId).cardSerial;
    },
    async close() {
      await signer.close();
      await portal.close();
      await repository.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
