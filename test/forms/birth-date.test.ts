import t from 'tap';
import { validateBirthDate } from '../../server/forms/birth-date';
import { taiwanDate } from '../../server/taiwan-time';

const today = '2026-11-27';

t.test('Gregorian and 民國 birth dates are stored as ISO dates', async (t) => {
  const table: Array<[string, string]> = [
    ['1980-05-17', '1980-05-17'],
    ['1980/5/17', '1980-05-17'],
    ['1980.05.17', '1980-05-17'],
    ['19800517', '1980-05-17'],
    ['1980年5月17日', '1980-05-17'],
    ['69/05/17', '1980-05-17'],
    ['69/5/17', '1980-05-17'],
    ['069-05-17', '1980-05-17'],
    ['0690517', '1980-05-17'],
    ['民國69年5月17日', '1980-05-17'],
    ['民國 69 年 05 月 17 日', '1980-05-17'],
    ['69年5月17日', '1980-05-17'],
    ['１９８０／０５／１７', '1980-05-17'],
    ['  1980-05-17  ', '1980-05-17'],
    ['1/1/1', '1912-01-01'], // 民國元年
    ['89/02/29', '2000-02-29'], // leap year divisible by 400
    ['115/11/27', '2026-11-27'], // today
    ['1900-01-01', '1900-01-01'],
  ];
  for (const [input, value] of table) t.same(validateBirthDate(input, today), { ok: true, value }, input);
});

t.test('birth dates that are malformed, impossible, future or too early are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['  ', 'required'],
    ['17 May 1980', 'format'],
    ['1980-05', 'format'],
    ['1980-05/17', 'format'], // mixed separators
    ['0/05/17', 'format'], // 民國 0 does not exist
    ['民國1980年5月17日', 'format'],
    ['12345', 'format'],
    ['1980-02-30', 'invalid_date'],
    ['1900-02-29', 'invalid_date'], // 1900 was not a leap year
    ['88/02/29', 'invalid_date'], // 1999
    ['1980-13-01', 'invalid_date'],
    ['1980-00-10', 'invalid_date'],
    ['1980-04-31', 'invalid_date'],
    ['2026-11-28', 'in_future'],
    ['115/12/01', 'in_future'],
    ['1899-12-31', 'too_early'],
    ['0069-05-17', 'too_early'], // a four-digit year is Gregorian
  ];
  for (const [input, error] of table) t.same(validateBirthDate(input, today), { ok: false, error }, input);
});

t.test('the date passed in decides what is in the future, not the clock', async (t) => {
  t.same(validateBirthDate('2030-01-01', '2030-01-01'), { ok: true, value: '2030-01-01' });
  t.same(validateBirthDate('2030-01-01', '2029-12-31'), { ok: false, error: 'in_future' });
});

t.test('taiwanDate gives the calendar date in Taiwan (UTC+8)', async (t) => {
  t.equal(taiwanDate(new Date('2026-11-27T15:59:59Z')), '2026-11-27');
  t.equal(taiwanDate(new Date('2026-11-27T16:00:00Z')), '2026-11-28');
});
