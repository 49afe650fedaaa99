import { randomUUID } from 'node:crypto';
import { amsterdamDate } from '@stille-lijn/shared/domain/lines';
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
  { id: 'west', name: 'West', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

/** A test that runs axe, which takes long on a loaded machine. */
const AXE_TEST_MS = 90_000;

describe('console: the audit reader', () => {
  const lined = useConsoleWithLines(LINES);
  const newPage = () => lined.newPage();

  async function conversationOn(line: string): Promise<string> {
    const id = randomUUID();
    await lined.t.app.redis.hset(lined.t.app.keys.conversation(id), { state: 'active', line });
    return id;
  }

  /** Four entries on three lines; the supervisor belongs to noord and zuid. Signs in and opens the reader. */
  async function openReader() {
    const sup = await createConsoleAccount(lined.t, { role: 'supervisor', displayName: 'Sanne Smit' });
    await lined.t.app.redis.hset(
      lined.t.app.keys.accounts.operator(sup.id),
      'lines',
      JSON.stringify(['noord', 'zuid']),
    );
    const noord = await conversationOn('noord');
    const zuid = await conversationOn('zuid');
    const west = await conversationOn('west');
    await lined.t.app.audit.record('monitor', sup.id, noord);
    await lined.t.app.audit.record('end', sup.id, noord);
    await lined.t.app.audit.record('monitor', sup.id, zuid);
    await lined.t.app.audit.record('monitor', sup.id, west);

    const page = await newPage();
    await signInConsole(page, lined.t.url, sup);
    await page.locator('[data-sl="view-supervisor"]').click();
    const panel = page.locator('[data-sl="audit"]');
    await panel.locator('[data-sl="audit-line"] option[value="zuid"]').waitFor({ state: 'attached' });
    const entries = panel.locator('[data-sl="audit-entry"]');
    const shown = async () =>
      Promise.all(
        (await entries.all()).map(
          async (r) => `${await r.getAttribute('data-action')}@${await r.getAttribute('data-line')}`,
        ),
      );
    return { page, panel, shown };
  }
  const poll = { timeout: 15_000 };

  it(
    'lists a supervisor’s lines’ entries without content, newest first, and passes axe',
    async () => {
      const { page, panel, shown } = await openReader();
      await panel.locator('[data-sl="audit-show"]').click();
      await panel.locator('[data-sl="audit-count"]').waitFor();
      // Newest first, never line west, never the sign-in (no line).
      expect(await shown()).toEqual(['monitor@zuid', 'end@noord', 'monitor@noord']);
      expect(await panel.textContent()).toContain('Sanne Smit');
      expect(await axeViolations(page)).toEqual([]);
    },
    AXE_TEST_MS,
  );

  it('filters by line, action and day', async () => {
    const { panel, shown } = await openReader();
    await panel.locator('[data-sl="audit-line"]').selectOption('noord');
    await panel.locator('[data-sl="audit-show"]').click();
    await expect.poll(shown, poll).toEqual(['end@noord', 'monitor@noord']);

    await panel.locator('[data-sl="audit-action"]').selectOption('monitor');
    await panel.locator('[data-sl="audit-show"]').click();
    await expect.poll(shown, poll).toEqual(['monitor@noord']);

    const today = amsterdamDate(new Date());
    await panel.locator('[data-sl="audit-line"]').selectOption('');
    await panel.locator('[data-sl="audit-action"]').selectOption('');
    await panel.locator('[data-sl="audit-from"]').fill(addDays(today, -9));
    await panel.locator('[data-sl="audit-to"]').fill(addDays(today, -2));
    await panel.locator('[data-sl="audit-show"]').click();
    await expect.poll(shown, poll).toEqual([]);
    await panel.locator('[data-sl="audit-to"]').fill(today);
    await panel.locator('[data-sl="audit-show"]').click();
    await expect.poll(shown, poll).toEqual(['monitor@zuid', 'end@noord', 'monitor@noord']);
  });
});
