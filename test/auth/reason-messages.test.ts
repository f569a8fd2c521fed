import t from 'tap';
import { loadMessages } from '../../server/plugins/i18n';
import { CHAIN_REASONS } from '../../server/pki/index';

const messages = loadMessages();
const SIGNATURE_REASONS = ['signature_malformed', 'signature_invalid', 'signature_content_mismatch', 'signer_mismatch', 'signature_weak_algorithm', 'certificate_malformed'];
const PROTOCOL_REASONS = ['token_malformed', 'challenge_not_found', 'challenge_foreign_session', 'challenge_expired', 'challenge_used', 'challenge_wrong_purpose', 'completion_unknown', 'completion_used'];

t.test('every refusal reason of the engine and the protocol has a message in both languages', async (t) => {
  for (const reason of [...CHAIN_REASONS, ...SIGNATURE_REASONS, ...PROTOCOL_REASONS]) {
    for (const lang of ['zh-TW', 'en'] as const) {
      t.ok(messages[lang][`signing.reasons.${reason}`], `${lang} has signing.reasons.${reason}`);
    }
  }
});
