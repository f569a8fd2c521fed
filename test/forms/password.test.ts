import t from 'tap';
import { passwordRuleFailures, validatePassword, validatePasswordConfirm } from '../../server/forms/password';

t.test('passwords meeting the rule are accepted as typed', async (t) => {
  const table: string[] = ['Abcdefg1', 'aB3aB3aB3', '  Spaces 1a', 'Pässwört1', `A1${'a'.repeat(126)}`, '密碼Abc12345'];
  for (const input of table) t.same(validatePassword(input, 'A123456789'), { ok: true, value: input }, input);
});

t.test('passwords breaking the rule are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['Abcde1', 'too_short'],
    ['Abcdef1', 'too_short'],
    [`A1${'a'.repeat(127)}`, 'too_long'],
    ['Abcdefg\u00001', 'invalid_character'],
    ['Abcdefgh', 'missing_digit'],
    ['abcdefg1', 'missing_upper'],
    ['ABCDEFG1', 'missing_lower'],
    ['Xa123456789', 'contains_id'],
    ['Xa123456789y', 'contains_id'],
  ];
  for (const [input, error] of table) t.same(validatePassword(input, 'A123456789'), { ok: false, error }, input);
});

t.test('only ASCII digits and letters satisfy the character classes', async (t) => {
  t.same(validatePassword('Abcdefg１', undefined), { ok: false, error: 'missing_digit' });
  t.same(validatePassword('äbcdefg1', undefined), { ok: false, error: 'missing_upper' });
});

t.test('the ID number is refused inside a password whatever the case', async (t) => {
  t.same(validatePassword('myA123456789Pw', 'a123456789'), { ok: false, error: 'contains_id' });
  t.same(validatePassword('mya123456789Pw', 'A123456789'), { ok: false, error: 'contains_id' });
  t.same(validatePassword('myA12345678Pw', 'A123456789'), { ok: true, value: 'myA12345678Pw' });
});

t.test('length counts characters, not UTF-16 units', async (t) => {
  t.same(validatePassword('Aa1𠀀𠀀', undefined), { ok: false, error: 'too_short' });
});

t.test('the confirmation must be given and match exactly, case included', async (t) => {
  t.same(validatePasswordConfirm('Abcdefg1', 'Abcdefg1'), { ok: true, value: 'Abcdefg1' });
  t.same(validatePasswordConfirm('Abcdefg1', ''), { ok: false, error: 'required' });
  t.same(validatePasswordConfirm('Abcdefg1', 'abcdefg1'), { ok: false, error: 'password_mismatch' });
  t.same(validatePasswordConfirm('Abcdefg1', 'Abcdefg1 '), { ok: false, error: 'password_mismatch' });
});

t.test('passwordRuleFailures lists every broken rule, in the order of the hint', async (t) => {
  t.same(passwordRuleFailures('', 'A123456789'), ['required'], 'nothing typed: one message, not seven');
  t.same(passwordRuleFailures('abc', 'A123456789'), ['too_short', 'missing_digit', 'missing_upper']);
  t.same(passwordRuleFailures('!!!!!!!!', undefined), ['missing_digit', 'missing_upper', 'missing_lower']);
  t.same(passwordRuleFailures(`a123456789${'x'.repeat(120)}`, 'A123456789'), [
    'too_long',
    'missing_upper',
    'contains_id',
  ]);
  t.same(passwordRuleFailures('Harbour2Light', 'A123456789'), []);
});

t.test('validatePassword gives the first broken rule, for forms with one message per field', async (t) => {
  t.same(validatePassword('abc', 'A123456789'), { ok: false, error: 'too_short' });
});
