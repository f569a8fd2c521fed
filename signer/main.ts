// `npm run signer [-- options]`, and the downloadable program's entry point.
// With no card option, the demo PKI's soft cards (when there is one) are "inserted" and their PINs printed.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, parseArgs, USAGE, type CliOptions } from './cli.js';
import type { SignerEvent } from './context.js';
import { demoSoftCards, readDemoManifest, type DemoCard } from './demo-cards.js';
import { defaultAllowedOrigins, startSigner, type StartSignerOptions } from './server.js';
import { SIGNER_VERSION } from './version.js';

// Known PKCS#11 modules of the MOICA card's HiCOS client, tried by the downloaded signer without options.
const HICOS_MODULES = [
  '/usr/local/lib/libHiCOSPKCS11.so',
  '/usr/lib/libHiCOSPKCS11.so',
  '/Library/HiCOS/libHiCOSPKCS11.dylib',
  'C:\\Windows\\System32\\HiCOSPKCS11.dll',
];

/**
 * The demo PKI's cards, read as data (its manifest.json and .p12 files). The signer never makes a PKI: inside the
 * project `npm run signer` starts through demo-pki/signer.ts, which makes it the first time.
 */
function demoCards(dir: string): DemoCard[] | null {
  return existsSync(join(dir, 'manifest.json')) ? readDemoManifest(dir) : null;
}

/** Where the demo cards are looked for when no card option is given; null when a card option is given. */
export function demoDirFor(cli: CliOptions): string | null {
  if (cli.pkcs11 || cli.p12.length > 0) return null;
  return resolve(cli.demoDir ?? join(process.env.DATA_DIR || 'data', 'demo-pki'));
}

function logLine(event: SignerEvent): void {
  const parts = [
    new Date().toISOString(),
    event.event,
    event.channel,
    event.origin ?? undefined,
    event.error,
    event.cardSerial,
  ];
  process.stdout.write(parts.filter((p) => p !== undefined).join(' ') + '\n');
}

export async function main(argv: string[]): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseArgs(argv);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`sw-signer: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (cli.version) {
    process.stdout.write(`${SIGNER_VERSION}\n`);
    return;
  }

  const options: StartSignerOptions = {
    port: cli.port,
    allowOrigins: cli.allowOrigins.length > 0 ? cli.allowOrigins : defaultAllowedOrigins(),
    lang: cli.lang,
    stateDir: cli.stateDir,
    cors: !cli.noCors,
    p12: cli.p12.map((file) => resolve(file)),
    log: cli.quiet ? undefined : logLine,
  };
  if (cli.pkcs11) options.pkcs11 = { module: cli.pkcs11, slot: cli.slot };

  let demo: DemoCard[] | null = null;
  const dir = demoDirFor(cli);
  if (dir) {
    demo = demoCards(dir);
    if (demo) {
      options.p12 = demoSoftCards(dir, demo);
    } else {
      const module = HICOS_MODULES.find((file) => existsSync(file));
      if (module) options.pkcs11 = { module };
    }
  }

  if (cli.card) {
    // A demo card may be named by its id (wang-xiaoming) as well as its serial.
    options.insertedCard = demo?.find((c) => c.id === cli.card)?.cardSerial ?? cli.card;
  }
  const signer = await startSigner(options);
  const out = process.stdout;
  out.write(`憑證元件 sw-signer ${SIGNER_VERSION}: ${signer.url}\n`);
  out.write(`Trusted sites 信任的網站: ${(options.allowOrigins ?? []).join(', ')}\n`);
  if (demo) {
    out.write('Demo cards (soft cards of the demo PKI) 示範用卡片:\n');
    for (const card of demo) {
      out.write(
        `  ${card.cardSerial}  ${card.holderName}  PIN ${card.pin}${card.revoked ? '  (revoked 已廢止)' : ''}\n`,
      );
    }
  } else if (options.pkcs11) {
    out.write(`PKCS#11 module: ${options.pkcs11.module}\n`);
  } else if (!options.p12 || options.p12.length === 0) {
    out.write('No card reader configured: use --pkcs11 <module> or --p12 <file> (see --help).\n');
  }
  const cards = await signer.service.cards();
  out.write(`Cards 卡片: ${cards.length === 0 ? 'none' : cards.map((c) => `${c.serial} ${c.label}`).join('; ')}\n`);
  if (cards.length > 1)
    out.write(
      `Card in use 使用中的卡片: ${signer.service.insertedCard ?? cards[0].serial} (change it at ${signer.url}/)\n`,
    );

  const stop = () => {
    void signer.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// `tsx signer/main.ts` runs it here; the bundle runs it from bin.ts (build.ts defines SW_SIGNER_BUNDLED).
const entry = process.argv[1];
if (process.env.SW_SIGNER_BUNDLED !== '1' && entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`sw-signer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
