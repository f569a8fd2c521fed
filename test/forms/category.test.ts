import t from 'tap';
import {
  CITIZEN_CATEGORIES,
  REGISTRATION_CATEGORIES,
  validateCitizenCategory,
  validateRegistrationCategory,
} from '../../server/forms/category';
import { loadMessages } from '../../server/plugins/i18n';

t.test('the chooser lists the seed categories once each, in the seed order', async (t) => {
  const messages = loadMessages();
  const labels = REGISTRATION_CATEGORIES.map((c) => messages['zh-TW'][c.labelKey]);
  t.same(labels, [
    '個人',
    '報關專責人員',
    '一般企業',
    '報關業',
    '快遞',
    '船公司/代理業',
    '倉儲業',
    '報關報驗業',
    '離島免稅購物商店系統',
    '國際免稅商店',
    '政府機關',
  ]);
  t.equal(new Set(REGISTRATION_CATEGORIES.map((c) => c.code)).size, REGISTRATION_CATEGORIES.length);
  for (const c of REGISTRATION_CATEGORIES) t.ok(messages.en[c.labelKey], `English label for ${c.code}`);
});

t.test('only 個人 and 報關專責人員 register with a Citizen Digital Certificate', async (t) => {
  const moica = REGISTRATION_CATEGORIES.filter((c) => c.certificate === 'moica').map((c) => c.code);
  t.same(moica, [...CITIZEN_CATEGORIES]);
});

t.test('the citizen page takes 個人 or 報關專責人員 and nothing else', async (t) => {
  const table: Array<[string, { ok: true; value: string } | { ok: false; error: string }]> = [
    ['individual', { ok: true, value: 'individual' }],
    ['customs_specialist', { ok: true, value: 'customs_specialist' }],
    ['', { ok: false, error: 'required' }],
    ['enterprise', { ok: false, error: 'invalid' }],
    ['個人', { ok: false, error: 'invalid' }],
  ];
  for (const [input, expected] of table) t.same(validateCitizenCategory(input), expected, input);
});

t.test('the chooser takes any listed category', async (t) => {
  t.same(validateRegistrationCategory('government'), { ok: true, value: 'government' });
  t.same(validateRegistrationCategory('toString'), { ok: false, error: 'invalid' });
  t.same(validateRegistrationCategory(''), { ok: false, error: 'required' });
});
