// What every handler of the running signer shares.
import type { Lang } from './locale.js';
import type { OriginPolicy } from './origin-policy.js';
import type { SigningService } from './signing.js';
import type { SignerErrorCode } from './errors.js';

export interface SignerEvent {
  event: string;
  channel?: 'nojs' | 'hipki' | 'ws';
  origin?: string | null;
  error?: SignerErrorCode;
  cardSerial?: string;
}

export interface SignerContext {
  service: SigningService;
  policy: OriginPolicy;
  lang: Lang;
  /** The signer's own origins (http://127.0.0.1:port, http://localhost:port): its popup page calls from there. */
  selfOrigins: Set<string>;
  /** Structured events without secrets: never a PIN, a text to sign or a signature. */
  log: (event: SignerEvent) => void;
  /**
   * Whether the JSON endpoints send CORS headers to allowed sites. Off, the signer answers as the real component does,
   * which sends none: a page on another site then cannot read /sign and must use the popup.
   */
  cors: boolean;
  /** The clock of the rate limits. */
  now: () => number;
}

export function httpStatusOf(code: SignerErrorCode): number {
  switch (code) {
    case 'site_not_trusted':
      return 403;
    case 'busy':
      return 429;
    case 'tbs_too_large':
      return 413;
    case 'bad_request':
    case 'bad_json':
    case 'unknown_message':
    case 'tbs_missing':
    case 'unsupported_algorithm':
      return 400;
    default:
      return 200; // card and PIN outcomes are answers, not protocol errors
  }
}
