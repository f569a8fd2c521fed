// Command-line options of the signer (its own small parser: the program must stay one file with no framework).
import type { Lang } from './locale.js';

export interface CliOptions {
  help: boolean;
  version: boolean;
  port?: number;
  p12: string[];
  pkcs11?: string;
  slot?: number;
  allowOrigins: string[];
  lang?: Lang;
  stateDir?: string;
  demoDir?: string;
  card?: string;
  quiet: boolean;
  /** No CORS headers on the JSON endpoints, as the HiPKI component. */
  noCors?: boolean;
}

export class CliError extends Error {}

export const USAGE = `Usage: sw-signer [options]

The local certificate signer (憑證元件) of the Customs-Port-Trade Single Window portal.
Listens on 127.0.0.1 only and signs the portal's challenges with your Citizen Digital Certificate.

Options:
  --pkcs11 <module>       PKCS#11 module of your card reader (e.g. the HiCOS module); needs pkcs11js
  --slot <n>              only this slot of the PKCS#11 module (0, 1, …)
  --p12 <file>            a PKCS#12 soft card (repeatable; each file is one card, its password the PIN)
  --card <serial|id>      the card to use when a page names none (default the first)
  --port <n>              TCP port (default 61161)
  --allow-origin <origin> a site the signer works for (repeatable;
                          default http://localhost:3000 and $PUBLIC_ORIGIN)
  --lang zh-TW|en         language of pages and messages (default zh-TW)
  --state-dir <dir>       where wrong-PIN counts of PKCS#11 cards and the sites added on
                          /addDomain are kept (default ~/.sw-signer)
  --no-cors               no CORS headers on /pkcs11info and /sign, as the HiPKI component
                          (pages must then use the popup)
  --demo-dir <dir>        demo PKI folder with manifest.json (default $DATA_DIR/demo-pki)
  --quiet                 no event lines on standard output
  --version               print the version
  -h, --help              print this help
`;

function value(args: string[], index: number, name: string): string {
  const v = args[index + 1];
  if (v === undefined || v.startsWith('--')) throw new CliError(`${name} needs a value`);
  return v;
}

export function parseArgs(args: string[]): CliOptions {
  const options: CliOptions = { help: false, version: false, p12: [], allowOrigins: [], quiet: false };
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(args, i, arg);
      i++;
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        options.help = true;
        break;
      case '--version':
        options.version = true;
        break;
      case '--quiet':
        options.quiet = true;
        break;
      case '--no-cors':
        options.noCors = true;
        break;
      case '--port': {
        const v = take();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new CliError(`--port must be 0–65535 (got "${v}")`);
        options.port = Number(v);
        break;
      }
      case '--slot': {
        const v = take();
        if (!/^\d+$/.test(v)) throw new CliError(`--slot must be a slot index (got "${v}")`);
        options.slot = Number(v);
        break;
      }
      case '--p12':
        options.p12.push(take());
        break;
      case '--pkcs11':
        options.pkcs11 = take();
        break;
      case '--allow-origin': {
        const v = take();
        let url: URL;
        try {
          url = new URL(v);
        } catch {
          throw new CliError(`--allow-origin must be an origin like https://portal.example (got "${v}")`);
        }
        if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== v.replace(/\/$/, '')) {
          throw new CliError(`--allow-origin must be an origin like https://portal.example (got "${v}")`);
        }
        options.allowOrigins.push(url.origin);
        break;
      }
      case '--lang': {
        const v = take();
        if (v !== 'zh-TW' && v !== 'en') throw new CliError(`--lang must be zh-TW or en (got "${v}")`);
        options.lang = v;
        break;
      }
      case '--state-dir':
        options.stateDir = take();
        break;
      case '--demo-dir':
        options.demoDir = take();
        break;
      case '--card':
        options.card = take();
        break;
      default:
        throw new CliError(`unknown option ${arg}`);
    }
  }
  if (options.slot !== undefined && !options.pkcs11) throw new CliError('--slot needs --pkcs11');
  return options;
}
