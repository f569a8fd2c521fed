import t from 'tap';
import { errorForField, errorMessageKey, toErrorList } from '../../server/forms/errors';
import { REGISTRATION_ERROR_CODES, REGISTRATION_FIELDS } from '../../server/forms/registration';
import { ORGANISATION_ERROR_CODES, ORGANISATION_FIELDS } from '../../server/forms/organisation-registration';
import { LANGUAGES, loadMessages, makeTranslate } from '../../server/plugins/i18n';

const messages = loadMessages();

t.test('every reason code of every field has a message in both languages', async (t) => {
  for (const field of REGISTRATION_FIELDS) {
    for (const code of REGISTRATION_ERROR_CODES[field]) {
      for (const lang of LANGUAGES) {
        const text = messages[lang][errorMessageKey(field, code)];
        t.ok(typeof text === 'string' && text.trim() !== '', `${lang} validation.${field}.${code}`);
      }
    }
  }
});

t.test('both locale files define the same validation keys, and no registration message lacks a code', async (t) => {
  const keys = (lang: (typeof LANGUAGES)[number]) =>
    Object.keys(messages[lang])
      .filter((k) => k.startsWith('validation.'))
      .sort();
  t.same(keys('en'), keys('zh-TW'));
  const used = new Set(
    REGISTRATION_FIELDS.flatMap((f) => REGISTRATION_ERROR_CODES[f].map((c) => errorMessageKey(f, c))),
  );
  // Other forms (the password change on 我的帳號) keep their own fields in this file; only the registration fields are
  // checked for messages left over from a removed code.
  const registrationMessages = keys('zh-TW').filter((k) =>
    (REGISTRATION_FIELDS as readonly string[]).includes(k.split('.')[1]!),
  );
  t.same(
    registrationMessages.filter((k) => !used.has(k)),
    [],
    'no message without a code',
  );
});

t.test('the error list links each message to its field', async (t) => {
  const errors = [
    { field: 'idNumber', code: 'business_id_not_allowed' },
    { field: 'passwordConfirm', code: 'password_mismatch' },
  ];
  const zh = toErrorList(errors, makeTranslate(messages, 'zh-TW'));
  t.same(
    zh.map((e) => e.href),
    ['#idNumber', '#passwordConfirm'],
  );
  t.match(zh[0]!.text, /工商憑證/);
  t.match(zh[1]!.text, /不一致/);
  const en = toErrorList(errors, makeTranslate(messages, 'en'));
  t.match(en[0]!.text, /business certificate/);
  t.equal(errorForField(errors, 'passwordConfirm', makeTranslate(messages, 'en')), en[1]!.text);
  t.equal(errorForField(errors, 'name', makeTranslate(messages, 'en')), undefined);
});

t.test('the error list uses whatever translate function it is given', async (t) => {
  t.same(
    toErrorList([{ field: 'name', code: 'required' }], (key) => `<${key}>`),
    [{ href: '#name', text: '<validation.name.required>' }],
  );
});

t.test('every reason code of every company or agency field has a message in both languages', async (t) => {
  for (const field of ORGANISATION_FIELDS) {
    for (const code of ORGANISATION_ERROR_CODES[field]) {
      for (const lang of LANGUAGES) {
        const text = messages[lang][errorMessageKey(field, code)];
        t.ok(typeof text === 'string' && text.trim() !== '', `${lang} validation.${field}.${code}`);
      }
    }
  }
});
