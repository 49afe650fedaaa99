import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureWidgetBuilt,
  launchChromium,
  nextAssignment,
  signInOperator,
} from '../browser/widget-support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { emitAck, type OperatorSocket } from '../support/clients.ts';
import { chosenEngines } from './drivers.ts';
import { type EngineHost, startEngineHost } from './servers.ts';

/**
 * The widget on a phone, in Chromium's phone emulation (touch, a mobile viewport): the
 * other engines' drivers cannot emulate touch. Part of `npm run test:engines`.
 */

interface Box {
  name: string;
  width: number;
  height: number;
  inView: boolean;
}

/** The size of each `[data-sl]` element named, in `target`, looking into the loader's shadow roots too. */
const boxes = (target: Page | Frame, names: string[]) =>
  target.evaluate((wanted) => {
    const find = (name: string): Element | null => {
      const css = `[data-sl="${name}"]`;
      const direct = document.querySelector(css);
      if (direct) return direct;
      for (const host of document.querySelectorAll('body > div')) {
        const inside = host.shadowRoot?.querySelector(css);
        if (inside) return inside;
      }
      return null;
    };
    return wanted.map((name) => {
      const r = find(name)?.getBoundingClientRect();
      return {
        name,
        width: Math.round(r?.width ?? 0),
        height: Math.round(r?.height ?? 0),
        inView: !!r && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
      };
    });
  }, names);

/** The chat frame once its start screen is there (on a phone the launcher hides while the chat is open). */
async function chatFrame(page: Page, helplineUrl: string): Promise<Frame> {
  let frame: Frame | undefined;
  await expect
    .poll(() => {
      frame = page.frames().find((f) => f.url().startsWith(`${helplineUrl}/chat`));
      return frame !== undefined;
    })
    .toBe(true);
  await frame!.locator('[data-sl=start]').waitFor();
  return frame!;
}

const thumbSized = (list: Box[]) =>
  list.map((b) => `${b.name} ${b.width >= 44 && b.height >= 44 && b.inView}`);

/** Whether anything can scroll sideways in `target`. */
const scrollsSideways = (target: Page | Frame) =>
  target.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe.runIf(chosenEngines().includes('chromium'))('the widget on a phone (Chromium, touch)', () => {
  let host: EngineHost;
  let helpline = '';
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let operator: OperatorSocket;

  beforeAll(async () => {
    ensureWidgetBuilt();
    // A host page made for phones (a viewport meta), under the README's strict CSP.
    host = await startEngineHost(() => helpline);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
  beforeEach(async () => {
    t = await startTestApp({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl });
    helpline = t.url;
    operator = await signInOperator(t, { displayName: 'Anna de Vries', available: true });
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
  });

  const phone = async (width: number, height: number) => {
    context = await browser.newContext({ viewport: { width, height }, hasTouch: true, isMobile: true });
    page = await context.newPage();
  };

  /** Opens the chat by a tap and starts a conversation that the operator accepts. */
  async function chatting(): Promise<{ frame: Frame; conversationId: string }> {
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').tap();
    const frame = await chatFrame(page, t.url);
    const assigned = nextAssignment(operator);
    await frame.locator('[data-sl=role-victim]').tap();
    await frame.locator('[data-sl=start]').tap();
    const conversationId = await assigned;
    await frame.locator('[data-sl=composer]').waitFor();
    return { frame, conversationId };
  }

  it('at 360×740: launcher, quick exit and composer are thumb-sized (44×44 px or more) and in view', async () => {
    await phone(360, 740);
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').waitFor();
    expect(thumbSized(await boxes(page, ['launcher', 'quick-exit']))).toEqual([
      'launcher true',
      'quick-exit true',
    ]);
    const { frame, conversationId } = await chatting();
    expect(thumbSized(await boxes(page, ['quick-exit']))).toEqual(['quick-exit true']);
    // Many messages later, the chat's own quick exit and the composer are still in view.
    for (let i = 0; i < 12; i++) {
      const ack = await emitAck<{ ok: boolean }>(operator, 'chat:message', {
        conversationId,
        clientMessageId: `op-${i}`,
        text: `Bericht ${i}: ik ben er voor je, neem je tijd.`,
      });
      expect(ack.ok).toBe(true);
    }
    await expect.poll(() => frame.locator('[data-sl=message][data-from=operator]').count()).toBe(12);
    await frame.locator('[data-sl=message]').last().scrollIntoViewIfNeeded();
    expect(thumbSized(await boxes(frame, ['quick-exit', 'composer', 'send']))).toEqual([
      'quick-exit true',
      'composer true',
      'send true',
    ]);
  });

  it('at 320 px nothing scrolls sideways: the host page, the start screen, the conversation', async () => {
    await phone(320, 640);
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await page.locator('[data-sl=launcher]').tap();
    const start = await chatFrame(page, t.url);
    expect(await scrollsSideways(start)).toBe(false);
    expect(await scrollsSideways(page)).toBe(false);
    const assigned = nextAssignment(operator);
    await start.locator('[data-sl=role-victim]').tap();
    await start.locator('[data-sl=start]').tap();
    await assigned;
    await start
      .locator('[data-sl=composer]')
      .fill('Eenheelerglangwoordzonderspatiesdatnergensafbreektenzijdelayouthethoudt');
    await start.locator('[data-sl=send]').tap();
    await start.locator('[data-sl=message][data-from=visitor]').first().waitFor();
    expect(await scrollsSideways(start)).toBe(false);
    expect(await scrollsSideways(page)).toBe(false);
  });

  it('turned sideways and back mid-chat: the layout holds and nothing is lost', async () => {
    await phone(360, 740);
    const { frame } = await chatting();
    await frame.locator('[data-sl=composer]').fill('Hallo');
    await frame.locator('[data-sl=send]').tap();
    await frame.locator('[data-sl=message][data-from=visitor]').first().waitFor();
    await frame.locator('[data-sl=composer]').fill('Nog niet verstuurd');
    // A mark on the frame's window: if the frame were reloaded, it would be gone.
    await frame.evaluate(() => {
      (window as unknown as { __slMark: number }).__slMark = 1;
    });
    const before = await frame.locator('[data-sl=message]').allTextContents();

    for (const [width, height] of [
      [740, 360],
      [360, 740],
    ] as const) {
      await page.setViewportSize({ width, height });
      await expect.poll(() => frame.evaluate(() => innerWidth)).toBeGreaterThan(0);
      expect(await frame.evaluate(() => (window as unknown as { __slMark?: number }).__slMark)).toBe(1);
      expect(await frame.locator('[data-sl=message]').allTextContents()).toEqual(before);
      expect(await frame.locator('[data-sl=composer]').inputValue()).toBe('Nog niet verstuurd');
      // (Polled: the frame lays itself out again a moment after the turn.)
      await expect
        .poll(async () => ({
          frame: await scrollsSideways(frame),
          page: await scrollsSideways(page),
        }))
        .toEqual({ frame: false, page: false });
      const quickExits = [...(await boxes(page, ['quick-exit'])), ...(await boxes(frame, ['quick-exit']))];
      expect(thumbSized(quickExits)).toEqual(['quick-exit true', 'quick-exit true']);
    }
  });
});
