import t from 'tap';
import { KEPT_FIELDS, REGISTRATION_FIELDS, validateRegistrationDetails } from '../../server/forms/registration';
import { PERSONAL_DATA_NOTICE_VERSION } from '../../server/forms/consent';

const today = '2026-11-27';
const valid = {
  category: 'individual',
  name: '王　小明',
  idNumber: 'a123456789',
  birthDate: '民國69年5月17日',
  phone: '+886 912 345 678',
  address: '臺北市中正區愛國西路2號',
  password: 'Secret123',
  passwordConfirm: 'Secret123',
  email1: 'ming@Example.com.tw',
  email2: '',
  consent: 'yes',
  _csrf: 'token',
};

t.test('a complete form gives the normalised registration details', async (t) => {
  t.same(validateRegistrationDetails(valid, { today }), {
    ok: true,
    value: {
      category: 'individual',
      name: '王小明',
      idNumber: 'A123456789',
      idKind: 'national',
      birthDate: '1980-05-17',
      phone: '0912-345-678',
      address: '臺北市中正區愛國西路2號',
      password: 'Secret123',
      email1: 'ming@example.com.tw',
      email2: null,
      personalDataNotice: PERSONAL_DATA_NOTICE_VERSION,
    },
  });
});

t.test('a resident certificate number registers as a resident', async (t) => {
  const r = validateRegistrationDetails(
    { ...valid, idNumber: 'AA00000009', category: 'customs_specialist' },
    { today },
  );
  t.ok(r.ok);
  if (r.ok)
    t.same([r.value.idKind, r.value.idNumber, r.value.category], ['resident', 'AA00000009', 'customs_specialist']);
});

t.test('an empty form reports every required field at once, in form order', async (t) => {
  const r = validateRegistrationDetails({}, { today });
  t.same(r, {
    ok: false,
    errors: [
      { field: 'category', code: 'required' },
      { field: 'name', code: 'required' },
      { field: 'idNumber', code: 'required' },
      { field: 'birthDate', code: 'required' },
      { field: 'phone', code: 'required' },
      { field: 'address', code: 'required' },
      { field: 'password', code: 'required' },
      { field: 'passwordConfirm', code: 'required' },
      { field: 'email1', code: 'required' },
      { field: 'consent', code: 'required' },
    ],
    values: {
      category: '',
      name: '',
      idNumber: '',
      birthDate: '',
      phone: '',
      address: '',
      email1: '',
      email2: '',
      consent: '',
    },
  });
});

t.test('every wrong field is reported and the entered values are kept, without the passwords', async (t) => {
  const body = {
    category: 'enterprise',
    name: '王小明\u0000',
    idNumber: 'A123456788',
    birthDate: '1980-02-30',
    phone: '12345',
    address: '址'.repeat(201),
    password: 'secret12',
    passwordConfirm: 'Secret12',
    email1: 'ming@',
    email2: 'b@x',
    consent: 'yes',
  };
  const r = validateRegistrationDetails(body, { today });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.same(r.errors, [
    { field: 'category', code: 'invalid' },
    { field: 'name', code: 'invalid_character' },
    { field: 'idNumber', code: 'checksum' },
    { field: 'birthDate', code: 'invalid_date' },
    { field: 'phone', code: 'format' },
    { field: 'address', code: 'too_long' },
    { field: 'password', code: 'missing_upper' },
    { field: 'passwordConfirm', code: 'password_mismatch' },
    { field: 'email1', code: 'format' },
    { field: 'email2', code: 'format' },
  ]);
  t.same(Object.keys(r.values), [...KEPT_FIELDS], 'values in form order');
  t.same(r.values, {
    category: 'enterprise',
    name: '王小明\u0000',
    idNumber: 'A123456788',
    birthDate: '1980-02-30',
    phone: '12345',
    address: '址'.repeat(201),
    email1: 'ming@',
    email2: 'b@x',
    consent: 'yes',
  });
  t.notOk('password' in r.values || 'passwordConfirm' in r.values, 'no password kept');
  t.notMatch(JSON.stringify(r.values), /ecret12/);
});

t.test('a valid 統一編號 on the citizen page gets its own reason', async (t) => {
  const r = validateRegistrationDetails({ ...valid, idNumber: '04595257' }, { today });
  t.same(r.ok ? [] : r.errors, [{ field: 'idNumber', code: 'business_id_not_allowed' }]);
});

t.test('a password containing the ID number is refused', async (t) => {
  const password = 'xA123456789y';
  const r = validateRegistrationDetails({ ...valid, password, passwordConfirm: password }, { today });
  t.same(r.ok ? [] : r.errors, [{ field: 'password', code: 'contains_id' }]);
});

t.test('a password containing a mistyped ID number is refused in the same round', async (t) => {
  const password = 'xA123456788y';
  const r = validateRegistrationDetails(
    { ...valid, idNumber: 'A123456788', password, passwordConfirm: password },
    { today },
  );
  t.same(r.ok ? [] : r.errors, [
    { field: 'idNumber', code: 'checksum' },
    { field: 'password', code: 'contains_id' },
  ]);
});

t.test('a confirmation that differs only in case is a mismatch', async (t) => {
  const r = validateRegistrationDetails({ ...valid, passwordConfirm: 'secret123' }, { today });
  t.same(r.ok ? [] : r.errors, [{ field: 'passwordConfirm', code: 'password_mismatch' }]);
});

t.test('a birth date after the given today is refused', async (t) => {
  const r = validateRegistrationDetails({ ...valid, birthDate: '2026-11-28' }, { today });
  t.same(r.ok ? [] : r.errors, [{ field: 'birthDate', code: 'in_future' }]);
});

t.test('fields posted twice count once, and non-string fields count as empty', async (t) => {
  const r = validateRegistrationDetails({ ...valid, name: ['王小明', '李四'], address: { a: 1 } }, { today });
  t.same(r.ok ? [] : r.errors, [{ field: 'address', code: 'required' }]);
  t.same(validateRegistrationDetails(null, { today }).ok, false);
});

t.test('the field list follows the seed form', async (t) => {
  t.same(
    [...REGISTRATION_FIELDS],
    [
      'category',
      'name',
      'idNumber',
      'birthDate',
      'phone',
      'address',
      'password',
      'passwordConfirm',
      'email1',
      'email2',
      'consent',
    ],
  );
});

t.test(
  'without the consent box ticked an otherwise complete form is refused, with the other values kept',
  async (t) => {
    for (const consent of [undefined, '', 'no', 'on', 'YES']) {
      const r = validateRegistrationDetails({ ...valid, consent }, { today });
      t.same(r.ok ? [] : r.errors, [{ field: 'consent', code: 'required' }], `consent ${JSON.stringify(consent)}`);
      if (!r.ok) t.equal(r.values.idNumber, 'a123456789');
    }
  },
);

t.test('every broken password rule is reported at once, in the order of the hint', async (t) => {
  const r = validateRegistrationDetails({ ...valid, password: 'a1', passwordConfirm: 'a1' }, { today });
  t.same(r.ok ? [] : r.errors, [
    { field: 'password', code: 'too_short' },
    { field: 'password', code: 'missing_upper' },
  ]);
  const worse = validateRegistrationDetails(
    { ...valid, password: 'xa123456789\u0007', passwordConfirm: 'xa123456789\u0007' },
    { today },
  );
  t.same(worse.ok ? [] : worse.errors.map((e) => e.code), ['invalid_character', 'missing_upper', 'contains_id']);
});
