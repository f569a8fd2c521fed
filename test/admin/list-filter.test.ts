// Admin dates and list cursors PostgreSQL would refuse are no date and no cursor.
import t from 'tap';
import { decodeCursor, encodeCursor, isPostgresTimestamp } from '../../server/routes/admin/list-filter';
import { parseDay } from '../../server/routes/admin/shared';

t.test('a day needs a year from 1900 on: year 0000 is no date', async (t) => {
  t.equal(parseDay('0000-01-01'), undefined);
  t.equal(parseDay('1899-12-31'), undefined);
  t.equal(parseDay('1900-01-01'), '1900-01-01');
  t.equal(parseDay('2024-02-29'), '2024-02-29');
  t.equal(parseDay('2026-02-29'), undefined);
});

t.test('a cursor time must be one PostgreSQL could have written, not only its shape', async (t) => {
  for (const real of [
    '2026-10-01 00:00:00.000001+08',
    '2026-10-01 23:59:59-03:30',
    '1901-12-14 04:00:00+08:05:43',
    '2026-10-01 00:00:00+00',
  ]) {
    t.ok(isPostgresTimestamp(real), real);
    t.same(decodeCursor(encodeCursor({ createdAt: real, id: 7 })), { createdAt: real, id: 7 }, `${real}: a cursor`);
  }
  for (const fake of [
    '2026-13-45 99:99:99+08',
    '0000-01-01 00:00:00+08',
    '2026-02-30 00:00:00+08',
    '2026-10-01 24:00:00+08',
    '2026-10-01 00:60:00+08',
    '2026-10-01 00:00:60+08',
    '2026-10-01 00:00:00+16',
    '2026-10-01 00:00:00+08:60',
    '2026-10-01T00:00:00+08',
    '2026-10-01 00:00:00',
  ]) {
    t.notOk(isPostgresTimestamp(fake), fake);
    t.equal(decodeCursor(encodeCursor({ createdAt: fake, id: 7 })), undefined, `${fake}: no cursor`);
  }
});
