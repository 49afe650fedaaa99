/**
 * Issue 11 in the widget: a visitor is never misled at the thin edges of the shift.
 * Nobody staffed (said plainly, no estimate, 0800-2000 and 112 at once), the estimate as
 * a range, a long wait, and the language fallback told beforehand in the visitor's
 * language. Real server, real Redis, Debian's Chromium, through the data-sl hooks.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectOperator,
  connectVisitor,
  createOperator,
  emitAck,
  nextEvent,
  type OperatorSocket,
  type VisitorSocket,
} from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import { makeAvailable, watchTraceApis } from './widget-support.ts';

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
  const w = useWidgetPage({ context: { viewport: { width: 400, height: 800 } } });
  const sockets: { disconnect(): unknown }[] = [];

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  async function operator(languages: ('nl' | 'en' | 'ar' | 'tr' | 'pl')[]): Promise<OperatorSocket> {
    const account = await createOperator(w.t, { displayName: 'Sanne Bakker', languages });
    const s = await connectOperator(w.t.url, account.cookie);
    sockets.push(s);
    return s;
  }

  /** Someone else's urgent conversation, which goes first and keeps the only place busy. */
  async function urgentVisitor(language: 'nl' | 'en'): Promise<VisitorSocket> {
    const v = await connectVisitor(w.t.url);
    sockets.push(v);
    const ack = await emitAck<{ ok: boolean }>(v, 'chat:start', { role: 'victim', language, urgent: true });
    expect(ack.ok).toBe(true);
    return v;
  }

  async function startInWidget(lang: string): Promise<void> {
    await w.page.goto(`${w.t.url}/chat?lang=${lang}`);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    await w.page.locator('[data-sl=queue-position]').waitFor();
  }

  it('says plainly that nobody is there, with 0800-2000 and 112 at once; once staffed, a range and no alternatives', async () => {
    await w.startApp({ OPERATOR_CAPACITY: '1' });
    // Answered conversations took two minutes on average.
    await w.t.app.redis.hset(w.t.app.key('stats'), 'handle', '120');
    const traceCalls = await watchTraceApis(w.context);
    const dialogs: string[] = [];
    w.page.on('dialog', (d) => {
      dialogs.push(d.type());
      void d.dismiss();
    });
    // Signed in but away: not staffed.
    const op = await operator(['nl']);
    await startInWidget('nl');

    const estimate = w.page.locator('[data-sl=wait-estimate]');
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('false');
    expect(await estimate.textContent()).toBe(
      'Er is nu niemand beschikbaar om te antwoorden. Je blijft in de rij: zodra er iemand is, krijg je antwoord.',
    );
    expect(await w.page.locator('.sl-waiting').textContent()).not.toMatch(
      /Verwachte wachttijd|minuut|minuten/,
    );
    expect(await w.page.locator('[data-sl=queue-position]').textContent()).toBe('Jij bent de volgende.');
    const alternatives = w.page.locator('[data-sl=alternatives]');
    expect(await alternatives.isVisible()).toBe(true);
    expect(await alternatives.getByRole('heading').textContent()).toBe('Wil je nu met iemand praten?');
    expect(
      await alternatives.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual(['tel:08002000', 'tel:112']);
    expect(await alternatives.textContent()).toContain('0800-2000 (gratis, dag en nacht)');
    // Dutch is spoken by everyone: no language notice.
    expect(await w.page.locator('[data-sl=language-fallback]').count()).toBe(0);
    const problems: string[] = [];
    await axe(w.page, 'waiting, nobody staffed', problems);

    // The operator comes on and takes someone urgent: staffed, at capacity. The estimate
    // is a range (position 1, one place, two minutes: 1 to 2.5 minutes), and short.
    const busy = nextEvent(op, 'chat:assigned');
    await urgentVisitor('nl');
    await makeAvailable(op);
    await busy;
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('true');
    expect(await estimate.textContent()).toBe('Verwachte wachttijd: ongeveer 1–3 minuten.');
    expect(await alternatives.count()).toBe(0);
    await axe(w.page, 'waiting, staffed, short wait', problems);

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
    await w.startApp({ OPERATOR_CAPACITY: '1', WAIT_ALTERNATIVES_S: '600' });
    // Ten minutes per conversation: one place, position 1 → 5 to 12.5 minutes.
    await w.t.app.redis.hset(w.t.app.key('stats'), 'handle', '600');
    const op = await operator(['nl', 'pl']);
    const busy = nextEvent(op, 'chat:assigned');
    await makeAvailable(op);
    await urgentVisitor('nl');
    await busy;

    await startInWidget('pl');
    const estimate = w.page.locator('[data-sl=wait-estimate]');
    await expect.poll(() => estimate.getAttribute('data-staffed'), PUSHED).toBe('true');
    expect(await estimate.textContent()).toBe('Przewidywany czas oczekiwania: około 5–13 minut.');
    expect(await w.page.locator('[data-sl=queue-position]').textContent()).toBe('Jesteś następny/następna.');
    const alternatives = w.page.locator('[data-sl=alternatives]');
    expect(await alternatives.getByRole('heading').textContent()).toBe('Trwa to dłużej niż zwykle');
    expect(await alternatives.textContent()).toContain('Zachowujesz swoje miejsce w kolejce.');
    expect(await alternatives.getByRole('link', { name: /0800-2000/ }).getAttribute('href')).toBe(
      'tel:08002000',
    );
    expect(await w.page.locator('[data-sl=language-fallback]').count()).toBe(0);
    const problems: string[] = [];
    await axe(w.page, 'waiting, long wait (pl)', problems);
    expect(problems).toEqual([]);
  });

  it('tells an Arabic visitor beforehand, right to left, that a colleague who may answer in English or Dutch will take over', async () => {
    await w.startApp({ OPERATOR_CAPACITY: '1', LANGUAGE_FALLBACK_S: '8' });
    // A Dutch-only operator, busy with someone urgent: nobody on shift speaks Arabic.
    const op = await operator(['nl']);
    const busy = nextEvent<{ conversation: { conversationId: string } }>(op, 'chat:assigned');
    await makeAvailable(op);
    await urgentVisitor('nl');
    const first = (await busy).conversation.conversationId;

    await startInWidget('ar');
    expect(await w.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const notice = w.page.locator('[data-sl=language-fallback]');
    // Before the fallback: nobody for Arabic, said at once, with the numbers.
    await expect.poll(() => notice.getAttribute('data-state'), PUSHED).toBe('soon');
    expect(await notice.textContent()).toBe(
      'لا يوجد الآن أحد يتحدث لغتك. إذا طال ذلك، سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
    );
    expect(await w.page.locator('[data-sl=wait-estimate]').getAttribute('data-staffed')).toBe('false');
    expect(await w.page.locator('[data-sl=alternatives]').isVisible()).toBe(true);
    const problems: string[] = [];
    await axe(w.page, 'waiting, language fallback soon (ar)', problems);

    // After LANGUAGE_FALLBACK_S: on the fallback, staffed by the Dutch speaker, told so.
    await expect.poll(() => notice.getAttribute('data-state'), { timeout: 20_000 }).toBe('now');
    expect(await notice.textContent()).toBe(
      'لا يوجد الآن أحد متاح يتحدث لغتك. سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
    );
    await expect
      .poll(() => w.page.locator('[data-sl=wait-estimate]').getAttribute('data-staffed'), PUSHED)
      .toBe('true');
    await axe(w.page, 'waiting, language fallback now (ar)', problems);

    // The Dutch speaker's place frees up: the Arabic conversation is theirs.
    const assigned = nextEvent<{ conversation: { language: string; languageFallback?: boolean } }>(
      op,
      'chat:assigned',
    );
    await emitAck(op, 'chat:end', { conversationId: first });
    expect((await assigned).conversation).toMatchObject({ language: 'ar', languageFallback: true });
    await w.page.getByRole('heading', { name: 'أنت تتحدث مع Sanne' }).waitFor();
    expect(await notice.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
