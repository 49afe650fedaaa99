/**
 * Issue 13 in the widget, as a visitor and a host page's builder meet it: `data-line` on the
 * loader reaches `chat:start`, the chat names its line, a closed line shows its hours and the
 * numbers instead of a start, and a page the line does not list gets a console error and no
 * chat. Chromium, data-sl, against the real server with a LINES_FILE.
 */
import AxeBuilder from '@axe-core/playwright';
import { WEEKDAYS, wallClock } from '@stille-lijn/shared/domain/lines';
import { refusal } from '@stille-lijn/shared/errors';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeLinesFile } from '../support/lines-file.ts';
import {
  chatFrame,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  startHostSite,
  watchCspViolations,
  watchTraceApis,
} from './widget-support.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** A weekday some days from today in Amsterdam: the closed line has windows only then, so it is closed all through the test. */
const dayFromToday = (days: number) =>
  WEEKDAYS[(WEEKDAYS.indexOf(wallClock(new Date()).weekday) + days) % 7]!;

describe('lines in the widget', () => {
  let host: HostSite;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Every `chat:start` payload the server received, as its Socket.IO server saw it. */
  const starts: Record<string, unknown>[] = [];
  /** When set, the server answers the next `chat:start` with this refusal (a line that closed since the page loaded). */
  let refuseNextStart: ReturnType<typeof refusal> | undefined;
  const openDay = dayFromToday(3);
  const lateDay = dayFromToday(4);

  beforeAll(async () => {
    ensureWidgetBuilt();
    host = await startHostSite();
    const lines = [
      {
        id: 'landelijk',
        name: 'Landelijke Lijn',
        languages: ['nl', 'en'],
        hours: '24/7',
        embedOrigins: [host.origin],
      },
      {
        id: 'utrecht',
        name: 'Veilig Thuis Utrecht',
        languages: ['nl'],
        hours: '24/7',
        embedOrigins: [host.origin],
      },
      {
        id: 'nacht',
        name: 'Nachtlijn',
        languages: ['nl', 'ar'],
        hours: {
          tz: 'Europe/Amsterdam',
          weekly: { [openDay]: [['09:00', '17:00']], [lateDay]: [['22:00', '02:00']] },
        },
        embedOrigins: [host.origin],
      },
      {
        id: 'elders',
        name: 'Elders',
        languages: ['nl'],
        hours: '24/7',
        embedOrigins: ['https://elders.example'],
      },
    ];
    t = await startTestApp({
      LINES_FILE: writeLinesFile(lines),
      EMBED_ORIGINS: host.origin,
      QUICK_EXIT_URL: host.weatherUrl,
    });
    host.setHelpline(t.url);
    t.app.io.of('/visitor').on('connection', (socket) => {
      socket.use((packet, next) => {
        const [event, payload] = packet;
        if (event !== 'chat:start') return next();
        starts.push(payload as Record<string, unknown>);
        const ack = packet[packet.length - 1];
        if (refuseNextStart && typeof ack === 'function') {
          ack({ ok: false, error: refuseNextStart.toBody() });
          refuseNextStart = undefined;
          return;
        }
        next();
      });
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await host?.close();
  });
  beforeEach(async () => {
    starts.length = 0;
    refuseNextStart = undefined;
    context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  async function axe(target: Page, screen: string, problems: string[], include?: string): Promise<void> {
    let builder = new AxeBuilder({ page: target }).withTags(TAGS);
    if (include) builder = builder.include(include);
    const results = await builder.analyze();
    for (const v of results.violations) {
      problems.push(`${screen}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
  }

  /** Console errors on the host page. */
  const consoleErrors = (target: Page) => {
    const seen: string[] = [];
    target.on('console', (m) => {
      if (m.type() === 'error') seen.push(m.text());
    });
    return seen;
  };

  it('data-line reaches chat:start, and the chat names its line in the header, leaving no trace', async () => {
    const traces = await watchTraceApis(context);
    const violations = watchCspViolations(page);
    await page.goto(host.pageUrl('/', { line: 'utrecht' }));
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    expect(new URL(frame.url()).searchParams.get('line')).toBe('utrecht');
    expect(await frame.locator('[data-sl=line-name]').textContent()).toBe('Veilig Thuis Utrecht');
    await frame.locator('[data-sl=role-victim]').check();
    await frame.locator('[data-sl=start]').click();
    await frame.locator('[data-sl=return-code]').waitFor();
    expect(starts).toEqual([{ role: 'victim', language: 'nl', urgent: false, line: 'utrecht' }]);
    expect(traces).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('without data-line, the chat is the first line’s and says so', async () => {
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    expect(new URL(frame.url()).searchParams.has('line')).toBe(false);
    expect(await frame.locator('[data-sl=line-name]').textContent()).toBe('Landelijke Lijn');
    await frame.locator('[data-sl=role-concerned]').check();
    await frame.locator('[data-sl=start]').click();
    await frame.locator('[data-sl=return-code]').waitFor();
    expect(starts.map((s) => s.line)).toEqual(['landelijk']);
  });

  it('a closed line shows its week in Amsterdam time and the numbers, in Dutch and in Arabic, and offers no start', async () => {
    const traces = await watchTraceApis(context);
    await page.goto(host.pageUrl('/', { line: 'nacht' }));
    await page.locator('[data-sl=launcher]').click();
    const frame = await waitForChat(page);
    const closed = frame.locator('[data-sl=closed]');
    await closed.waitFor();
    expect(await frame.locator('[data-sl=start]').count()).toBe(0);
    expect(await frame.locator('[data-sl=role-victim]').count()).toBe(0);
    expect(await frame.locator('h1').textContent()).toBe('De chat is nu gesloten');
    expect(await frame.locator('[data-sl=line-name]').textContent()).toBe('Nachtlijn');
    const week = await closed
      .locator('dl > div')
      .evaluateAll((rows) =>
        rows.map((r) => [r.querySelector('dt')?.textContent, r.querySelector('dd')?.textContent]),
      );
    const nlDays = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'];
    expect(week).toEqual(
      WEEKDAYS.map((day, i) => [
        nlDays[i],
        day === openDay ? '09:00–17:00' : day === lateDay ? '22:00–02:00' : 'gesloten',
      ]),
    );
    expect(await closed.textContent()).toContain('Alle tijden zijn Nederlandse tijd (Amsterdam).');
    expect(
      await closed
        .locator('[data-sl=alternatives] a')
        .evaluateAll((a) => a.map((l) => l.getAttribute('href'))),
    ).toEqual(['tel:08002000', 'tel:112']);
    // The way back into a conversation that still runs stays.
    expect(await frame.locator('[data-sl=have-return-code]').count()).toBe(1);

    const problems: string[] = [];
    const chatPage = await context.newPage();
    await chatPage.goto(`${t.url}/chat?line=nacht`);
    await chatPage.locator('[data-sl=closed]').waitFor();
    await axe(chatPage, 'closed, nl', problems);

    await frame.locator('[data-sl=language]').selectOption('ar');
    await expect.poll(() => frame.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await frame.locator('h1').textContent()).toBe('الدردشة مغلقة الآن');
    expect(await closed.locator('dt').first().textContent()).toBe('الاثنين');
    expect(await closed.textContent()).toContain('أمستردام');
    await chatPage.locator('[data-sl=language]').selectOption('ar');
    await expect.poll(() => chatPage.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await axe(chatPage, 'closed, ar', problems);
    expect(problems).toEqual([]);
    expect(starts).toEqual([]);
    expect(traces).toEqual([]);
  });

  it('a line that closed since the page loaded: chat:start answers line_closed and the chat shows the same hours screen', async () => {
    refuseNextStart = refusal('line_closed');
    await page.goto(`${t.url}/chat?line=utrecht&lang=en`);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    await page.locator('[data-sl=closed]').waitFor();
    expect(starts.map((s) => s.line)).toEqual(['utrecht']);
    expect(await page.locator('[data-sl=start]').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('The chat is closed now');
    expect(await page.getByText('There is no connection').count()).toBe(0);
    expect(
      await page
        .locator('[data-sl=closed] [data-sl=alternatives] a')
        .evaluateAll((a) => a.map((l) => l.getAttribute('href'))),
    ).toEqual(['tel:08002000', 'tel:112']);
    const problems: string[] = [];
    await axe(page, 'closed after line_closed', problems);
    expect(problems).toEqual([]);
  });

  it('a page the line does not list: a console error for its builder, no launcher, no frame, and quick exit still works', async () => {
    const errors = consoleErrors(page);
    await page.goto(host.pageUrl('/', { line: 'elders' }));
    await page.locator('[data-sl=quick-exit]').waitFor();
    await expect
      .poll(() => errors)
      .toContain(
        `Stille Lijn: ${host.origin} is not allowed to embed line elders; add it to embedOrigins in LINES_FILE`,
      );
    expect(await page.locator('[data-sl=launcher]').count()).toBe(0);
    await page.evaluate(() => (window as unknown as { StilleLijn: { open(): void } }).StilleLijn.open());
    expect(page.frames()).toHaveLength(1);
    await page.locator('[data-sl=quick-exit]').click();
    await page.waitForURL(host.weatherUrl);
  });

  it('an unknown line or an id that is not one: a console error and no launcher; /chat?line= of it has no chat', async () => {
    for (const [line, message] of [
      ['nope', `Stille Lijn: ${t.url} has no line nope; check data-line`],
      ['Nope', 'Stille Lijn: data-line="Nope" is not a line id'],
    ] as const) {
      const errors = consoleErrors(page);
      await page.goto(host.pageUrl('/', { line }));
      await expect.poll(() => errors).toContain(message);
      expect(await page.locator('[data-sl=launcher]').count()).toBe(0);
      expect(await page.locator('[data-sl=quick-exit]').count()).toBe(1);
    }
    const res = await page.goto(`${t.url}/chat?line=nope`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('[data-sl=start]').count()).toBe(0);
    expect(await page.locator('body').textContent()).toContain('0800-2000');
  });

  it('a host page whose CSP forbids reading the line still gets its chat, which frame-ancestors guards', async () => {
    await page.goto(host.pageUrl('/no-connect/', { line: 'utrecht' }));
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    expect(await frame.locator('[data-sl=line-name]').textContent()).toBe('Veilig Thuis Utrecht');
  });
});

/** The chat frame once it is there (the closed screen has no start button for chatFrame to wait on). */
async function waitForChat(page: Page) {
  let found: ReturnType<Page['frames']>[number] | undefined;
  await expect
    .poll(() => {
      found = page.frames().find((f) => f.url().includes('/chat?'));
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}
