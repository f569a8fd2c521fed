// Demo mode on one machine (DESIGN.md §1): the demo PKI made once, and the local signer started beside the portal
// with the demo cards inserted, so `npm start` gives a newcomer everything.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config';
import { startSigner, type RunningSigner } from '../../signer/server';
import { demoPkiDir } from './manifest';

export async function prepareDemoPki(config: Config, log: (line: string) => void): Promise<void> {
  if (config.mode !== 'demo') return;
  const dir = demoPkiDir(config.dataDir);
  log(`demo PKI in ${dir} (made on the first start; this takes a moment)`);
  // Making it generates and signs with the demo CAs' keys: demo tooling, imported in demo mode only (as in app.ts).
  const { ensureDemoPki } = await import('../../demo-pki/demo-pki');
  await ensureDemoPki(dir, { baseUrl: config.publicOrigin });
}

export async function startDemoSigner(config: Config, log: FastifyBaseLogger): Promise<RunningSigner | undefined> {
  if (config.mode !== 'demo' || !config.startSigner) return undefined;
  const url = new URL(config.signerUrl);
  try {
    const signer = await startSigner({
      port: Number(url.port || 80),
      allowOrigins: [config.publicOrigin],
      demoPkiDir: demoPkiDir(config.dataDir),
      log: (event) => log.info({ signer: event }, 'signer'),
    });
    const cards = await signer.service.cards();
    log.info(
      `local signer (憑證元件) at ${signer.url} with ${cards.length} demo cards; their PINs are in README.md and \`npm run demo-pki -- list\``,
    );
    return signer;
  } catch (error) {
    // Another signer (or the real HiPKI component) may already hold the port: the portal works with that one.
    log.warn({ err: error }, `local signer not started at ${config.signerUrl}; set START_SIGNER=false to silence this`);
    return undefined;
  }
}
