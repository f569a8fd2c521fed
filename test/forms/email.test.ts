import t from 'tap';
import { validateEmail, validateOptionalEmail } from '../../server/forms/email';

t.test('sane email addresses are accepted, the domain in lower case', async (t) => {
  const table: Array<[string, string]> = [
    ['name@example.com.tw', 'name@example.com.tw'],
    [' Name.Surname@Example.COM.TW ', 'Name.Surname@example.com.tw'],
    ['a+tag@mail.gov.tw', 'a+tag@mail.gov.tw'],
    ["o'brien_1@x-y.org", "o'brien_1@x-y.org"],
    ['user@郵件.台灣', 'user@郵件.台灣'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ];
  for (const [input, value] of table) t.same(validateEmail(input), { ok: true, value }, input);
});

t.test('malformed or too long email addresses are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['  ', 'required'],
    ['name', 'format'],
    ['name@', 'format'],
    ['@example.com', 'format'],
    ['name@localhost', 'format'], // no dot in the domain
    ['na me@example.com', 'format'],
    ['name@exa mple.com', 'format'],
    ['name@@example.com', 'format'],
    ['.name@example.com', 'format'],
    ['na..me@example.com', 'format'],
    ['name.@example.com', 'format'],
    ['"quoted"@example.com', 'format'],
    ['name@-example.com', 'format'],
    ['name@example..com', 'format'],
    ['name@example.c', 'format'],
    ['name@example.123', 'format'],
    ['name@[192.0.2.1]', 'format'],
    [`${'a'.repeat(65)}@example.com`, 'format'],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.tw`, 'too_long'],
  ];
  for (const [input, error] of table) t.same(validateEmail(input), { ok: false, error }, input);
});

t.test('Email2 may be empty, and must be valid when given', async (t) => {
  t.same(validateOptionalEmail(''), { ok: true, value: null });
  t.same(validateOptionalEmail('   '), { ok: true, value: null });
  t.same(validateOptionalEmail('b@example.tw'), { ok: true, value: 'b@example.tw' });
  t.same(validateOptionalEmail('b@'), { ok: false, error: 'format' });
});
