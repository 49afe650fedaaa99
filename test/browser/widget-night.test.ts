/**
 * Issue 11 in the widget: a visitor is never misled at the thin edges of the shift.
 * Nobody staffed (said plainly, no estimate, 0800-2000 and 112 at once), the estimate as
 * a range, a long wait, and the language fallback told beforehand in the visitor's
 * language. Real server, real Redis, Debian's Chromium, through the data-sl hooks.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { ensureWidgetBuilt, launchChromium, makeAvailable, watchTraceApis } from './widget-support.ts';

/** What the server pushes may take a while on a busy machine; vitest's poll gives up after 1 s. */
const PUSHED = { timeout: 10_000 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

async function axe(page: Page, screen: string, problems: string[]): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  for (const v of results.violations) {
    problems.push(`${screen}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
}

describe('the widget while the shift is thin', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const sockets: { disconnect(): unknown }[] = [];

  beforeAll(async () => {
    ensureWidgetBuilt();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 400, height: 800 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await context?.close();
    await t?.close();
  });

  async function operator(languages: ('nl' | 'en' | 'ar' | 'tr' | 'pl')[]): Promise<OperatorSocket> {
    const account = await createOperator(t, { displayName: 'Sanne Bakker', languages });
    const s = await connectOperator(t.url, account.cookie);
    sockets.push(s);
    return s;
  }

  /** Someone else's urgent conversation, which goes first and keeps the only place busy. */
  async function urgentVisitor(language: 'nl' | 'en'): Promise<VisitorSocket> {
    const v = await connectVisitor(t.url);
    sockets.push(v);
    const ack = await emitAck<{ ok: boolean }>(v, 'chat:start', { role: 'victim', language, urgent: true });
    expect(ack.ok).toBe(true);
    return v;
  }

  async function startInWidget(lang: string): Promise<void> {
    await page.goto(`${t.url}/chat?lang=${lang}`);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    await page.locator('[data-sl=queue-position]').waitFor();
  }

  it('says plainly that nobody is there, with 0800-2000 and 112 at once; once staffed, a range and no alternatives', async () => {
    t = await startTestApp({ OPERATOR_CAPACITY: '1' });
    // Answered conversations took two minutes on average.
    await t.app.redis.hset(t.app.key('stats'), 'handle', '120');
    const traceCalls = await watchTraceApis(context);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.type());
      void d.dismiss();
    });
    // Signed in but away: not staffed.
    const op = await operator(['nl']);
    await startInWidget('nl');

    const estimate = page.locator('[data-sl=wait-estimate]');
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('false');
    expect(await estimate.textContent()).toBe(
      'Er is nu niemand beschikbaar om te antwoorden. Je blijft in de rij: zodra er iemand is, krijg je antwoord.',
    );
    expect(await page.locator('.sl-waiting').textContent()).not.toMatch(/Verwachte wachttijd|minuut|minuten/);
    expect(await page.locator('[data-sl=queue-position]').textContent()).toBe('Jij bent de volgende.');
    const alternatives = page.locator('[data-sl=alternatives]');
    expect(await alternatives.isVisible()).toBe(true);
    expect(await alternatives.getByRole('heading').textContent()).toBe('Wil je nu met iemand praten?');
    expect(
      await alternatives.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual(['tel:08002000', 'tel:112']);
    expect(await alternatives.textContent()).toContain('0800-2000 (gratis, dag en nacht)');
    // Dutch is spoken by everyone: no language notice.
    expect(await page.locator('[data-sl=language-fallback]').count()).toBe(0);
    const problems: string[] = [];
    await axe(page, 'waiting, nobody staffed', problems);

    // The operator comes on and takes someone urgent: staffed, at capacity. The estimate
    // is a range (position 1, one place, two minutes: 1 to 2.5 minutes), and short.
    const busy = nextEvent(op, 'chat:assigned');
    await urgentVisitor('nl');
    await makeAvailable(op);
    await busy;
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('true');
    expect(await estimate.textContent()).toBe('Verwachte wachttijd: ongeveer 1–3 minuten.');
    expect(await alternatives.count()).toBe(0);
    await axe(page, 'waiting, staffed, short wait', problems);

    // The only operator takes a break: nobody again, and the numbers are back at once.
    await emitAck(op, 'operator:status', { status: 'break' });
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('false');
    expect(await alternatives.isVisible()).toBe(true);

    expect(problems).toEqual([]);
    // Silent: no sound, no notification, no dialog, nothing stored.
    expect(traceCalls).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows the alternatives from a long wait on (WAIT_ALTERNATIVES_S), in Polish, and keeps the place in line', async () => {
    t = await startTestApp({ OPERATOR_CAPACITY: '1', WAIT_ALTERNATIVES_S: '600' });
    // Ten minutes per conversation: one place, position 1 → 5 to 12.5 minutes.
    await t.app.redis.hset(t.app.key('stats'), 'handle', '600');
    const op = await operator(['nl', 'pl']);
    const busy = nextEvent(op, 'chat:assigned');
    await makeAvailable(op);
    await urgentVisitor('nl');
    await busy;

    await startInWidget('pl');
    const estimate = page.locator('[data-sl=wait-estimate]');
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('true');
    expect(await estimate.textContent()).toBe('Przewidywany czas oczekiwania: około 5–13 minut.');
    expect(await page.locator('[data-sl=queue-position]').textContent()).toBe('Jesteś następny/następna.');
    const alternatives = page.locator('[data-sl=alternatives]');
    expect(await alternatives.getByRole('heading').textContent()).toBe('Trwa to dłużej niż zwykle');
    expect(await alternatives.textContent()).toContain('Zachowujesz swoje miejsce w kolejce.');
    expect(await alternatives.getByRole('link', { name: /0800-2000/ }).getAttribute('href')).toBe(
      'tel:08002000',
    );
    expect(await page.locator('[data-sl=language-fallback]').count()).toBe(0);
    const problems: string[] = [];
    await axe(page, 'waiting, long wait (pl)', problems);
    expect(problems).toEqual([]);
  });

  it('tells an Arabic visitor beforehand, right to left, that a colleague who may answer in English or Dutch will take over', async () => {
    t = await startTestApp({ OPERATOR_CAPACITY: '1', LANGUAGE_FALLBACK_S: '8' });
    // A Dutch-only operator, busy with someone urgent: nobody on shift speaks Arabic.
    const op = await operator(['nl']);
    const busy = nextEvent<{ conversation: { conversationId: string } }>(op, 'chat:assigned');
    await makeAvailable(op);
    await urgentVisitor('nl');
    const first = (await busy).conversation.conversationId;

    await startInWidget('ar');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const notice = page.locator('[data-sl=language-fallback]');
    // Before the fallback: nobody for Arabic, said at once, with the numbers.
    await expect.poll(() => notice.getAttribute('data-state'), PUSHED).toBe('soon');
    expect(await notice.textContent()).toBe(
      'لا يوجد الآن أحد يتحدث لغتك. إذا طال ذلك، سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
    );
    expect(await page.locator('[data-sl=wait-estimate]').getAttribute('data-staffed')).toBe('false');
    expect(await page.locator('[data-sl=alternatives]').isVisible()).toBe(true);
    const problems: string[] = [];
    await axe(page, 'waiting, language fallback soon (ar)', problems);

    // After LANGUAGE_FALLBACK_S: on the fallback, staffed by the Dutch speaker, told so.
    await expect.poll(() => notice.getAttribute('data-state'), { timeout: 20_000 }).toBe('now');
    expect(await notice.textContent()).toBe(
      'لا يوجد الآن أحد متاح يتحدث لغتك. سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
    );
    await expect
      .poll(() => page.locator('[data-sl=wait-estimate]').getAttribute('data-staffed'), PUSHED)
      .toBe('true');
    await axe(page, 'waiting, language fallback now (ar)', problems);

    // The Dutch speaker's place frees up: the Arabic conversation is theirs.
    const assigned = nextEvent<{ conversation: { language: string; languageFallback?: boolean } }>(
      op,
      'chat:assigned',
    );
    await emitAck(op, 'chat:end', { conversationId: first });
    expect((await assigned).conversation).toMatchObject({ language: 'ar', languageFallback: true });
    await page.getByRole('heading', { name: 'أنت تتحدث مع Sanne' }).waitFor();
    expect(await notice.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
