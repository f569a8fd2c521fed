// The dashboard: counts by status and a server-rendered, accessible SVG chart of the last 30 days with a table fallback.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { createCast } from './fixtures';
import { barChart, niceMax } from '../../server/routes/admin/chart';
import { taiwanDate } from '../../server/taiwan-time';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);

// Four registrations two days ago, one pending and one suspended old account outside the window.
await pool.query(`
  INSERT INTO accounts (category, id_number, name, status, created_at)
  SELECT 'individual', 'D1' || lpad(i::text, 8, '0'), '儀表' || i, 'active', now() - interval '2 days'
  FROM generate_series(1, 4) AS i`);
await pool.query(
  `INSERT INTO accounts (category, id_number, name, status) VALUES ('customs_specialist', 'E100000001', '待審', 'pending_review')`,
);
await pool.query(
  `INSERT INTO accounts (category, id_number, name, status, created_at) VALUES ('individual', 'E100000002', '舊帳號', 'suspended', now() - interval '90 days')`,
);

const page = await ctx.app.inject({ url: '/admin', headers: { cookie: cast.cookies.operator } });

t.test('the dashboard counts accounts by status', async (t) => {
  t.equal(page.statusCode, 200);
  t.match(page.body, /id="count-active">7</);
  t.match(page.body, /id="count-pending_review">1</);
  t.match(page.body, /id="count-suspended">1</);
  t.match(page.body, /id="count-rejected">0</);
  t.match(page.body, /href="\/admin\/accounts\?status=pending_review">檢視待審核的申請（1 件）/);
});

t.test('the chart is an SVG image with a title, a description and one bar per day', async (t) => {
  t.match(page.body, /<svg role="img" aria-labelledby="chart-title" aria-describedby="chart-caption"/);
  t.match(page.body, /<title id="chart-title">近 30 日每日新註冊帳號數長條圖<\/title>/);
  t.match(page.body, /<figcaption id="chart-caption">[^<]*共 6 件註冊/);
  t.equal([...page.body.matchAll(/<rect /g)].length, 30);
  t.notMatch(page.body, /<script(?![^>]*\bsrc=)/, 'no inline script draws the chart');
});

t.test("the chart's text gives the real daily maximum, not the top of its scale", async (t) => {
  // Four on the busiest day: the scale's top is 5 (a round number), the text says 4.
  t.match(page.body, /<figcaption id="chart-caption">[^<]*單日最多 4 件/);
  t.match(page.body, /<text [^>]*>5<\/text>/, 'the scale still rounds up');
  const chart = barChart([
    { day: '2026-11-01', count: 3 },
    { day: '2026-11-02', count: 7 },
  ]);
  t.equal(chart.peak, 7);
  t.equal(chart.max, 10);
});

t.test('the table fallback gives each of the 30 days, with the registrations counted on the right day', async (t) => {
  const table = /<details class="chart-data">[\s\S]*?<\/details>/.exec(page.body)![0];
  const rows = [...table.matchAll(/<tr><th scope="row">(\d{4}-\d{2}-\d{2})<\/th><td class="num">(\d+)<\/td><\/tr>/g)];
  t.equal(rows.length, 30);
  t.equal(rows[29][1], taiwanDate(new Date()));
  const twoDaysAgo = taiwanDate(new Date(Date.now() - 2 * 86400_000));
  t.equal(rows.find((r) => r[1] === twoDaysAgo)?.[2], '4');
  t.equal(
    rows.find((r) => r[1] === taiwanDate(new Date()))?.[2],
    '2',
    'today: the citizen of the cast and the pending applicant (operators do not count)',
  );
});

t.test('the scale of the chart rounds up to 1, 2 or 5 times a power of ten', async (t) => {
  t.equal(niceMax(0), 1);
  t.equal(niceMax(3), 5);
  t.equal(niceMax(7), 10);
  t.equal(niceMax(12), 20);
  t.equal(niceMax(250), 500);
});

t.test('the axis labels every seventh day counting back from today', async (t) => {
  const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, count: 0 }));
  t.same(
    barChart(days).labels.map((l) => l.text),
    ['11-02', '11-09', '11-16', '11-23', '11-30'],
  );
});

t.test('the tallest bar reaches the top of the plot and an empty day has no height', async (t) => {
  const chart = barChart([
    { day: '2026-11-01', count: 0 },
    { day: '2026-11-02', count: 10 },
  ]);
  t.equal(chart.bars[0].height, 0);
  t.equal(chart.bars[1].y, chart.plotTop);
});

t.test('the dashboard is in English when English is chosen', async (t) => {
  const en = await ctx.app.inject({ url: '/admin', headers: { cookie: `${cast.cookies.operator}; lang=en` } });
  t.match(en.body, /Bar chart of new registrations per day/);
  t.match(en.body, /<html lang="en">/);
});
