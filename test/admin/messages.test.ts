// The admin namespace speaks both languages, key for key, and the small pure helpers behave.
import t from 'tap';
import { loadMessages } from '../../server/plugins/i18n';
import { parseDay } from '../../server/routes/admin/shared';
import { maskIdNumber } from '../../server/mask';
import { validateReason } from '../../server/forms/reason';
import { taiwanDate } from '../../server/taiwan-time';

const messages = loadMessages();

t.test('zh-TW and English define the same admin messages, none empty', async (t) => {
  const keys = (lang: 'zh-TW' | 'en') =>
    Object.keys(messages[lang])
      .filter((k) => k.startsWith('admin.'))
      .sort();
  t.same(keys('en'), keys('zh-TW'));
  for (const key of keys('zh-TW')) t.ok(messages['zh-TW'][key].trim() && messages.en[key].trim(), key);
});

t.test('an ID number is masked to its first three and last three characters', async (t) => {
  t.equal(maskIdNumber('A123456789'), 'A12****789');
  t.equal(maskIdNumber('AB12345678'), 'AB1****678');
  t.equal(maskIdNumber('123456'), '******');
});

t.test('a reason is required, trimmed, and at most 500 characters counted as characters', async (t) => {
  t.same(validateReason(undefined), { ok: false, error: 'required' });
  t.same(validateReason(' \r\n '), { ok: false, error: 'required' });
  t.same(validateReason('  核對無誤  '), { ok: true, value: '核對無誤' });
  t.same(validateReason('𠀀'.repeat(500)), { ok: true, value: '𠀀'.repeat(500) }, 'a rare character counts once');
  t.same(validateReason('a'.repeat(501)), { ok: false, error: 'tooLong' });
});

t.test('a day must be a real calendar date', async (t) => {
  t.equal(parseDay('2026-11-27'), '2026-11-27');
  t.equal(parseDay('2024-02-29'), '2024-02-29');
  t.equal(parseDay('2026-02-29'), undefined);
  t.equal(parseDay('2026-1-1'), undefined);
  t.equal(parseDay(['2026-11-27']), undefined);
});

t.test('today in Taiwan turns over at 16:00 UTC', async (t) => {
  t.equal(taiwanDate(new Date('2026-11-27T15:59:59Z')), '2026-11-27');
  t.equal(taiwanDate(new Date('2026-11-27T16:00:00Z')), '2026-11-28');
});
