// 申請編號: the Taiwan date, six random characters of Crockford's base 32 and a check character that catches a
// mistyped character; read back in its one written form however it was typed.
import t from 'tap';
import { newReference, parseReference } from '../../server/registration/reference';

/** A "random" source that returns the given values in turn. */
function values(...sequence: number[]): (max: number) => number {
  let i = 0;
  return () => sequence[i++ % sequence.length]!;
}

t.test('the date is the Taiwan date of the application', async (t) => {
  t.match(newReference(new Date('2026-12-02T15:59:59Z')), /^20261202-/);
  t.match(newReference(new Date('2026-12-02T16:00:00Z')), /^20261203-/, 'midnight in Taipei is 16:00 UTC');
});

t.test('the random part uses 32 symbols without I, L, O or U', async (t) => {
  const seen = new Set<string>();
  for (let n = 0; n < 32; n++) {
    const reference = newReference(new Date('2026-12-02T04:00:00Z'), values(n));
    t.match(reference, /^20261202-[0-9A-Z]{4}-[0-9A-Z]{3}$/);
    seen.add(reference.slice(9, 10));
  }
  t.equal(seen.size, 32);
  t.notOk([...seen].some((c) => 'ILOU'.includes(c)));
});

t.test('every reference made is read back as itself', async (t) => {
  for (let i = 0; i < 200; i++) {
    const reference = newReference(new Date(Date.UTC(2026, 0, 1) + i * 86400_000));
    t.equal(parseReference(reference), reference);
  }
});

t.test('one wrong character is caught by the check character', async (t) => {
  const reference = newReference(new Date('2026-12-02T04:00:00Z'), values(7, 20, 3, 31, 0, 12));
  const symbols = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let caught = 0;
  let tried = 0;
  for (let i = 0; i < reference.length; i++) {
    if (reference[i] === '-') continue;
    const alphabet = i < 8 ? '0123456789' : symbols;
    for (const replacement of alphabet) {
      if (replacement === reference[i]) continue;
      tried += 1;
      const typo = reference.slice(0, i) + replacement + reference.slice(i + 1);
      if (parseReference(typo) === undefined) caught += 1;
    }
  }
  t.equal(caught, tried, `all ${tried} single-character mistakes are refused`);
});

t.test(
  'a reference typed in lower case, with spaces, O for 0 or I and L for 1 is read in its written form',
  async (t) => {
    const reference = newReference(new Date('2026-12-02T04:00:00Z'), values(0, 1, 1, 20, 21, 22));
    t.equal(reference.slice(9, 12), '011', 'the random part starts with 0, 1, 1');
    const spoken = reference.replace(/-/g, ' ').toLowerCase().replace('0', 'o').replace('11', 'il');
    t.equal(parseReference(`  ${spoken} `), reference);
    t.equal(parseReference(reference.replace(/-/g, '')), reference, 'without hyphens');
    t.equal(parseReference('A123456789'), undefined, 'an ID number is no reference');
    t.equal(parseReference(''), undefined);
  },
);
