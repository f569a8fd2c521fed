// The request input checks on their own; bad-input.test.ts drives them through the app.
import t from 'tap';
import { isWellFormedEncoding, malformedInput } from '../../server/plugins/input';

t.test('the input checks find NUL, lone surrogates and bad escapes wherever they are', async (t) => {
  const request = (over: Partial<Parameters<typeof malformedInput>[0]>) => ({
    url: '/',
    query: {},
    params: {},
    body: undefined,
    ...over,
  });
  t.equal(malformedInput(request({})), undefined);
  t.equal(
    malformedInput(request({ query: { q: '王小明 😀', tag: ['a', 'b'] } })),
    undefined,
    'text, emoji and repeated names pass',
  );
  t.equal(malformedInput(request({ query: { q: 'a\0b' } })), 'query');
  t.equal(malformedInput(request({ query: { 'a\0': 'b' } })), 'query', 'a field name too');
  t.equal(malformedInput(request({ query: { q: ['ok', '\0'] } })), 'query', 'each repeated value');
  t.equal(malformedInput(request({ params: { slug: '\0' } })), 'params');
  t.equal(malformedInput(request({ body: { reason: '\ud800' } })), 'body', 'a lone surrogate');
  t.equal(malformedInput(request({ body: { reason: { toString: 1 } } })), 'body', 'an object value');
  t.equal(malformedInput(request({ body: { reason: 1 } })), 'body', 'a number');
  t.equal(malformedInput(request({ body: 'text' })), 'body', 'a body that is not fields');
  t.equal(
    malformedInput(request({ body: Buffer.from([0]) })),
    undefined,
    "a Buffer is a route's own parser's business",
  );
  t.equal(malformedInput(request({ url: '/a?q=%FF' })), 'query');
  t.ok(isWellFormedEncoding('a=%E4%B8%AD+%F0%9F%98%80&b=%25&c=+'));
  for (const raw of ['a=%FF', 'a=%ED%A0%80', 'a=%E4%B8', 'a=%', 'a=%G0', 'a=%C0%AF'])
    t.notOk(isWellFormedEncoding(raw), raw);
});
