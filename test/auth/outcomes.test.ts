// Which refusals end a journey with an outcome page, with which next steps; and that every one of them has its words in
// both languages (a reason or a step without them would show its key on the page).
import t from 'tap';
import { loadMessages } from '../../server/plugins/i18n';
import { NEXT_STEPS, OUTCOME_REASONS, outcomeFor } from '../../server/auth/outcomes';

const messages = loadMessages();

t.test(
  'a revoked or expired card: 換發新卡 first; the password login only where there is an account to fall back on',
  async (t) => {
    for (const reason of ['revoked', 'expired']) {
      t.same(outcomeFor(reason, 'login'), { reason, status: 403, steps: ['renew_card', 'password_login', 'support'] });
      t.same(outcomeFor(reason, 'register')?.steps, ['renew_card', 'support']);
      t.same(outcomeFor(reason, 'recover')?.steps, ['renew_card', 'support']);
    }
  },
);

t.test('already registered is a registration’s outcome, with 直接登入 first', async (t) => {
  t.same(outcomeFor('certificate_already_registered', 'register'), {
    reason: 'certificate_already_registered',
    status: 409,
    steps: ['certificate_login', 'forgot_password', 'support'],
  });
  t.equal(outcomeFor('id_already_registered', 'register')?.steps[0], 'certificate_login');
  t.equal(outcomeFor('id_already_registered', 'login'), undefined, 'a login never meets it');
});

t.test('account states are outcomes of the login and of the recovery, each with its next step', async (t) => {
  t.same(outcomeFor('account_pending', 'login')?.steps, ['wait_review', 'support']);
  t.same(outcomeFor('account_suspended', 'login')?.steps, ['support']);
  t.same(outcomeFor('account_rejected', 'recover')?.steps, ['support']);
  t.equal(outcomeFor('unknown_certificate', 'login')?.status, 404);
  t.same(outcomeFor('password_not_set', 'recover')?.steps, ['certificate_login']);
});

t.test('a refusal to try again stays at the form: no outcome', async (t) => {
  for (const reason of [
    'challenge_expired',
    'challenge_used',
    'signature_invalid',
    'leaf_key_usage',
    'id_last4_mismatch',
    'name_mismatch',
    'revocation_unavailable',
    'untrusted',
    'certificate_login_required',
    'no_such_reason',
  ])
    for (const journey of ['login', 'register', 'recover'] as const)
      t.equal(outcomeFor(reason, journey), undefined, `${reason} in ${journey}`);
});

t.test('every outcome and every next step has its words in zh-TW and English', async (t) => {
  for (const lang of ['zh-TW', 'en'] as const) {
    for (const reason of OUTCOME_REASONS) {
      t.ok(messages[lang][`outcome.reasons.${reason}.title`], `${lang}: the title of ${reason}`);
      t.ok(messages[lang][`outcome.reasons.${reason}.text`], `${lang}: the text of ${reason}`);
    }
    for (const step of NEXT_STEPS) {
      t.ok(messages[lang][`outcome.steps.${step}.label`], `${lang}: the label of ${step}`);
      t.ok(messages[lang][`outcome.steps.${step}.text`], `${lang}: the text of ${step}`);
    }
  }
  t.same(
    Object.keys(messages.en)
      .filter((k) => k.startsWith('outcome.'))
      .sort(),
    Object.keys(messages['zh-TW'])
      .filter((k) => k.startsWith('outcome.'))
      .sort(),
    'the same keys in both',
  );
  for (const ns of ['readiness.', 'recovery.'])
    t.same(
      Object.keys(messages.en)
        .filter((k) => k.startsWith(ns))
        .sort(),
      Object.keys(messages['zh-TW'])
        .filter((k) => k.startsWith(ns))
        .sort(),
      `${ns}* the same keys in both`,
    );
});
