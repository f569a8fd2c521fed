import t from 'tap';
import {
  CHALLENGE_HEADER,
  formatChallengeText,
  isChallengeText,
  parseChallengeText,
} from '../../signer/challenge-text.js';

const values = {
  origin: 'http://localhost:3000',
  purpose: 'login',
  nonce: 'A'.repeat(43),
  issued: '2026-11-27T05:00:00.000Z',
};

t.test('a challenge is five lines joined by LF with no trailing newline', async (t) => {
  t.equal(
    formatChallengeText(values),
    `${CHALLENGE_HEADER}\norigin: http://localhost:3000\npurpose: login\nnonce: ${'A'.repeat(43)}\nissued: 2026-11-27T05:00:00.000Z`,
  );
});

t.test('a Date for issued is written in ISO form', async (t) => {
  t.match(
    formatChallengeText({ ...values, issued: new Date('2026-11-27T05:00:00Z') }),
    /issued: 2026-11-27T05:00:00.000Z$/,
  );
});

t.test('parse reads back what format wrote', async (t) => {
  t.same(parseChallengeText(formatChallengeText(values)), values);
});

t.test('parse refuses CRLF, a trailing newline, extra lines and reordered keys', async (t) => {
  const text = formatChallengeText(values);
  t.equal(parseChallengeText(text.replace(/\n/g, '\r\n')), null);
  t.equal(parseChallengeText(text + '\n'), null);
  t.equal(parseChallengeText(text + '\nextra: 1'), null);
  const lines = text.split('\n');
  t.equal(parseChallengeText([lines[0], lines[2], lines[1], lines[3], lines[4]].join('\n')), null);
});

t.test('parse refuses an origin with a path, a short nonce and a bad time', async (t) => {
  const text = formatChallengeText(values);
  t.equal(parseChallengeText(text.replace('origin: http://localhost:3000', 'origin: http://localhost:3000/x')), null);
  t.equal(parseChallengeText(text.replace(`nonce: ${'A'.repeat(43)}`, 'nonce: short')), null);
  t.equal(parseChallengeText(text.replace('2026-11-27T05:00:00.000Z', 'yesterday')), null);
});

t.test('format throws on values that could not be read back', async (t) => {
  t.throws(() => formatChallengeText({ ...values, origin: 'ftp://x' }));
  t.throws(() => formatChallengeText({ ...values, origin: 'http://localhost:3000/login' }));
  t.throws(() => formatChallengeText({ ...values, purpose: 'Log In' }));
  t.throws(() => formatChallengeText({ ...values, nonce: 'abc' }));
});

t.test('other text is not a challenge', async (t) => {
  t.equal(isChallengeText('hello'), false);
  t.equal(isChallengeText(formatChallengeText(values)), true);
  t.equal(parseChallengeText('hello'), null);
});
