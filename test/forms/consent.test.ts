import t from 'tap';
import { CONSENT_VALUE, PERSONAL_DATA_NOTICE_VERSION, validateConsent } from '../../server/forms/consent';

t.test('a ticked box agrees to the current version of the notice', async (t) => {
  t.same(validateConsent(CONSENT_VALUE), { ok: true, value: PERSONAL_DATA_NOTICE_VERSION });
  t.match(PERSONAL_DATA_NOTICE_VERSION, /^\d{4}-\d{2}-\d{2}$/, 'the version is the date of the wording');
});

t.test('an unticked box, or any other value, is no agreement', async (t) => {
  for (const input of ['', 'no', 'on', 'true', 'YES', ' yes'])
    t.same(validateConsent(input), { ok: false, error: 'required' }, JSON.stringify(input));
});
