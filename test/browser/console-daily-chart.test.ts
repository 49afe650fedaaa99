import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
import { DAILY_CSV_COLUMNS } from '@stille-lijn/shared/rest';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../server/src/stats/daily.ts';
import {
  axeViolations,
  createConsoleAccount,
  signInConsole,
  useConsoleWithLines,
} from '../support/browser.ts';

const LINES = [
  { id: 'noord', name: 'Noord', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'zuid', name: 'Zuid', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

/** A test that runs axe, which takes long on a loaded machine. */
const AXE_TEST_MS = 90_000;

describe('console: the supervisor’s daily chart', () => {
  const lined = useConsoleWithLines(LINES, { acceptDownloads: true });
  const newPage = () => lined.newPage();

  /** `n` conversations of `line` started at `at`, each answered after `wait` seconds. */
  async function seed(line: string, at: number, n: number, wait: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      await lined.t.app.redis.hset(lined.t.app.keys.conversation(id), {
        state: 'waiting',
        urgent: '0',
        line,
      });
      await lined.t.app.dailyFigures.started(id, at);
      await lined.t.app.dailyFigures.answered(id, at - wait * 1000, at);
    }
  }

  /** A supervisor of noord and zuid, with figures of yesterday and today, on the supervisor view. */
  async function openChart() {
    const sup = await createConsoleAccount(lined.t, { role: 'supervisor', displayName: 'Sanne Smit' });
    await lined.t.app.redis.hset(
      lined.t.app.keys.accounts.operator(sup.id),
      'lines',
      JSON.stringify(['noord', 'zuid']),
    );
    const today = amsterdamDate(new Date());
    const yesterday = addDays(today, -1);
    const noon = (day: string) => Date.parse(`${day}T11:00:00Z`);
    await seed('noord', noon(yesterday), 2, 30);
    await seed('zuid', noon(yesterday), 3, 90);
    await seed('zuid', noon(today), 1, 10);

    const page = await newPage();
    await signInConsole(page, lined.t.url, sup);
    await page.locator('[data-sl="view-supervisor"]').click();
    const chart = page.locator('[data-sl="daily-chart"]');
    await chart.locator('svg[data-chart="daily-counts"]').waitFor();
    await chart.locator('summary').click();
    const row = (date: string, col: string) => chart.locator(`tr[data-date="${date}"] td[data-col="${col}"]`);
    return { page, chart, row, today, yesterday };
  }

  it(
    'draws 30 days of the supervisor’s lines, says the numbers too, and passes axe',
    async () => {
      const { page, chart, row, today, yesterday } = await openChart();
      for (const series of ['started', 'answered', 'abandoned']) {
        expect(await chart.locator(`polyline[data-series="${series}"]`).getAttribute('data-points')).toBe(
          '30',
        );
      }
      expect(await chart.locator('polyline[data-series="p90WaitSeconds"]').count()).toBe(1);
      // The numbers are said, not only drawn: the description, and the table.
      const desc = await chart.locator('svg[data-chart="daily-counts"] desc').textContent();
      expect(desc).toMatch(/\b6\b/);
      expect(await row(yesterday, 'started').textContent()).toBe('5');
      expect(await row(yesterday, 'p90WaitSeconds').textContent()).toBe('1:30');
      expect(await row(today, 'answered').textContent()).toBe('1');
      expect(await axeViolations(page)).toEqual([]);
    },
    AXE_TEST_MS,
  );

  it('picks one line and saves its days as CSV', async () => {
    const { page, chart, row, today, yesterday } = await openChart();
    await chart.locator('[data-sl="daily-line"]').selectOption('noord');
    await page.locator('[data-sl="daily-chart"][data-line="noord"]').waitFor();
    await expect.poll(() => row(yesterday, 'started').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await row(yesterday, 'medianWaitSeconds').textContent()).toBe('0:30');
    expect(await row(today, 'started').textContent()).toBe('0');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      chart.locator('[data-sl="daily-csv"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^stille-lijn-noord-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const csv = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv[0]).toBe(DAILY_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(31);
    expect(csv.find((l) => l.startsWith(yesterday))).toBe(`${yesterday},2,2,0,0,30,30,0`);
  });

  it('shows no line picker to a supervisor of one line, and only that line’s days', async () => {
    const sup = await createConsoleAccount(lined.t, { role: 'supervisor' });
    await lined.t.app.redis.hset(
      lined.t.app.keys.accounts.operator(sup.id),
      'lines',
      JSON.stringify(['zuid']),
    );
    const today = amsterdamDate(new Date());
    await seed('noord', Date.parse(`${today}T00:30:00Z`), 4, 5);
    await seed('zuid', Date.parse(`${today}T00:30:00Z`), 1, 5);
    const page = await newPage();
    await signInConsole(page, lined.t.url, sup);
    await page.locator('[data-sl="view-supervisor"]').click();
    const chart = page.locator('[data-sl="daily-chart"]');
    await chart.locator('svg[data-chart="daily-counts"]').waitFor();
    expect(await chart.locator('[data-sl="daily-line"]').count()).toBe(0);
    await chart.locator('summary').click();
    expect(await chart.locator(`tr[data-date="${today}"] td[data-col="started"]`).textContent()).toBe('1');
  });
});
