import t from 'tap';
import { loadMessages } from '../../server/plugins/i18n';
import {
  CHAIN_REASONS,
  ORGANISATION_REASONS,
  SIGNATURE_REASONS,
  type ChainReason,
  type OrganisationReason,
  type SignatureReason,
} from '../../server/pki/index';

// The engine's reasons come from its exported unions (each list is checked complete against its union where it is
// declared), so a reason added to the engine fails here until both languages have its message.
type EngineReason = ChainReason | SignatureReason | OrganisationReason;
type ReasonsIn<File> = File extends { reasons: infer R } ? keyof R : never;
type Missing<File> = Exclude<EngineReason, ReasonsIn<File>>;
// A compile error (npx tsc --noEmit) names the reason without a message.
const zhComplete: [Missing<typeof import('../../locales/zh-TW/signing.json')>] extends [never]
  ? true
  : Missing<typeof import('../../locales/zh-TW/signing.json')> = true;
const enComplete: [Missing<typeof import('../../locales/en/signing.json')>] extends [never]
  ? true
  : Missing<typeof import('../../locales/en/signing.json')> = true;

const messages = loadMessages();
const PROTOCOL_REASONS = [
  'token_malformed',
  'challenge_not_found',
  'challenge_foreign_session',
  'challenge_expired',
  'challenge_used',
  'challenge_wrong_purpose',
  'completion_unknown',
  'completion_used',
];

t.test('the locale files have a message for every reason type of the engine', async (t) => {
  t.ok(zhComplete && enComplete);
});

t.test('every refusal reason of the engine and the protocol has a message in both languages', async (t) => {
  for (const reason of [...CHAIN_REASONS, ...SIGNATURE_REASONS, ...ORGANISATION_REASONS, ...PROTOCOL_REASONS]) {
    for (const lang of ['zh-TW', 'en'] as const) {
      t.ok(messages[lang][`signing.reasons.${reason}`], `${lang} has signing.reasons.${reason}`);
    }
  }
});
