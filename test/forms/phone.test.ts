import t from 'tap';
import { parseTaiwanPhone, validatePhone } from '../../server/forms/phone';

t.test('Taiwan phone numbers are accepted and put in canonical form', async (t) => {
  const table: Array<[string, string]> = [
    ['0912345678', '0912-345-678'],
    ['0912-345-678', '0912-345-678'],
    ['0912 345 678', '0912-345-678'],
    ['+886 912 345 678', '0912-345-678'],
    ['+886912345678', '0912-345-678'],
    ['+886 (0)912-345-678', '0912-345-678'],
    ['00886912345678', '0912-345-678'],
    ['０９１２－３４５－６７８', '0912-345-678'],
    ['(02)2345-6789', '(02)2345-6789'],
    ['02-23456789', '(02)2345-6789'],
    ['02 2345 6789', '(02)2345-6789'],
    ['+886 2 2345 6789', '(02)2345-6789'],
    ['+886-2-2345-6789', '(02)2345-6789'],
    ['+886 02 2345 6789', '(02)2345-6789'],
    ['(02)2345-6789#123', '(02)2345-6789#123'],
    ['02-2345-6789 #123', '(02)2345-6789#123'],
    ['02-2345-6789 分機 123', '(02)2345-6789#123'],
    ['02-2345-6789 ext. 45', '(02)2345-6789#45'],
    ['(02)2345-6789轉6', '(02)2345-6789#6'],
    ['(02)2345-6789 分機：123', '(02)2345-6789#123'],
    ['03-4567890', '(03)456-7890'], // 桃園 7 digits
    ['037-323456', '(037)323-456'], // 苗栗 6 digits
    ['04-22345678', '(04)2234-5678'], // 臺中 8 digits
    ['04-7234567', '(04)723-4567'], // 彰化 7 digits
    ['049-2345678', '(049)234-5678'], // 南投
    ['05-2345678', '(05)234-5678'],
    ['06-2345678', '(06)234-5678'],
    ['07-3456789', '(07)345-6789'],
    ['08-7654321', '(08)765-4321'],
    ['089-345678', '(089)345-678'], // 臺東
    ['082-312345', '(082)312-345'], // 金門
    ['0836-22345', '(0836)22345'], // 馬祖
    ['0826-88123', '(0826)88123'], // 烏坵
  ];
  for (const [input, value] of table) t.same(validatePhone(input), { ok: true, value }, input);
});

t.test('numbers that are not Taiwan phone numbers are refused with the reason', async (t) => {
  const table: Array<[string, string]> = [
    ['', 'required'],
    ['   ', 'required'],
    ['091234567', 'format'], // mobile one digit short
    ['09123456789', 'format'],
    ['02-2345678', 'format'], // Taipei has 8 digits
    ['02-234567890', 'format'],
    ['03-45678901', 'format'],
    ['02-0345-6789', 'format'], // subscriber numbers do not start with 0
    ['0800-123-456', 'format'], // toll-free, not a contact number
    ['+1 212 555 0100', 'format'],
    ['+852 2345 6789', 'format'],
    ['0912-345-678#12', 'format'], // mobiles have no extension
    ['phone: 0912345678', 'format'],
    ['2345-6789', 'format'], // no area code
    ['0'.repeat(41), 'too_long'],
  ];
  for (const [input, error] of table) t.same(validatePhone(input), { ok: false, error }, input);
});

t.test('a parsed phone number carries its kind, area code and E.164 form', async (t) => {
  t.same(parseTaiwanPhone('(02)2345-6789#123'), {
    kind: 'landline',
    areaCode: '02',
    subscriber: '23456789',
    extension: '123',
    e164: '+886223456789',
    canonical: '(02)2345-6789#123',
  });
  t.same(parseTaiwanPhone('0912-345-678'), {
    kind: 'mobile',
    areaCode: '09',
    subscriber: '12345678',
    extension: undefined,
    e164: '+886912345678',
    canonical: '0912-345-678',
  });
});
