import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { nextEvent, type OperatorSocket } from '../support/clients.ts';
import {
  chatFrame,
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  nextAssignment,
  signInOperator,
  startHostSite,
} from './widget-support.ts';

interface Probe {
  /** Where the listener ran: the host page or the chat frame. */
  where: 'host' | 'chat';
  type: string;
  key: string;
  /** The document's computed display at that moment: 'none' means blank. */
  display: string;
  href: string;
  /** Whether the chat app had rendered anything yet. */
  app: boolean;
}

/**
 * Listeners added after the widget's own (bubble phase on window, where the widget listens
 * in capture phase or on the element), so they run in the same task, right after it.
 * They report through a CDP binding, whose call leaves the renderer at once and so
 * survives the navigation that follows.
 */
async function installProbe(
  context: BrowserContext,
  target: Page | Frame,
  where: Probe['where'],
  probes: Probe[],
) {
  const session = await context.newCDPSession(target);
  session.on('Runtime.bindingCalled', (event) => {
    if (event.name === '__slProbe') probes.push({ where, ...JSON.parse(event.payload) });
  });
  await session.send('Runtime.addBinding', { name: '__slProbe' });
  await target.evaluate(() => {
    const report = (event: Event) =>
      (window as unknown as { __slProbe(p: string): void }).__slProbe(
        JSON.stringify({
          type: event.type,
          key: event instanceof KeyboardEvent ? event.key : '',
          display: getComputedStyle(document.documentElement).display,
          href: location.href,
          app: !!document.querySelector('[data-sl=start], [data-sl=composer]'),
        }),
      );
    for (const type of ['click', 'keydown', 'keyup', 'message']) addEventListener(type, report);
  });
}

type Trigger = (page: Page, frame: Frame) => Promise<void>;

const triggers: Record<string, { trigger: Trigger; probeIn: 'host' | 'chat'; event: string; key: string }> = {
  'the Snel weg button on the host page': {
    trigger: (page) => page.locator('[data-sl=quick-exit]').click(),
    probeIn: 'host',
    event: 'click',
    key: '',
  },
  'the Snel weg button in the chat': {
    trigger: (_page, frame) => frame.locator('[data-sl=quick-exit]').click(),
    probeIn: 'chat',
    event: 'click',
    key: '',
  },
  'Shift pressed three times on the host page': {
    trigger: async (page) => {
      await page.locator('h1').click();
      for (let i = 0; i < 3; i++) await page.keyboard.press('Shift');
    },
    probeIn: 'host',
    event: 'keyup',
    key: 'Shift',
  },
  'Shift pressed three times in the chat': {
    trigger: async (page, frame) => {
      await frame.locator('[data-sl=composer]').click();
      for (let i = 0; i < 3; i++) await page.keyboard.press('Shift');
    },
    probeIn: 'chat',
    event: 'keyup',
    key: 'Shift',
  },
  'Esc pressed twice in the chat': {
    trigger: async (page, frame) => {
      await frame.locator('[data-sl=composer]').click();
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
    },
    probeIn: 'chat',
    event: 'keydown',
    key: 'Escape',
  },
  'Esc pressed twice on the host page': {
    trigger: async (page) => {
      await page.locator('h1').click();
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape');
    },
    probeIn: 'host',
    event: 'keydown',
    key: 'Escape',
  },
};

describe('quick exit', () => {
  let host: HostSite;
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let probes: Probe[];
  let operator: OperatorSocket;

  beforeAll(async () => {
    ensureWidgetBuilt();
    host = await startHostSite();
    browser = await launchChromium({ bfcache: true });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
  beforeEach(async () => {
    t = await startTestApp({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl });
    host.setHelpline(t.url);
    operator = await signInOperator(t, { displayName: 'Anna de Vries', available: true });
    context = await browser.newContext();
    probes = [];
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
  });

  /** Host page `/`, then (a normal navigation) `/elders` with a conversation under way. */
  async function conversationOnSecondPage(text: string): Promise<{ frame: Frame; conversationId: string }> {
    await page.goto(host.pageUrl('/'));
    await page.locator('#elders').click();
    await page.waitForURL(/\/elders$/);
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    const assigned = nextAssignment(operator);
    await frame.locator('[data-sl=role-victim]').check();
    await frame.locator('[data-sl=first-message]').fill(text);
    await frame.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await frame.getByRole('heading', { name: 'Je praat met Anna' }).waitFor();
    return { frame, conversationId };
  }

  for (const [name, { trigger, probeIn, event, key }] of Object.entries(triggers)) {
    it(`by ${name}: blank at once, server told, address replaced, Back shows an empty widget`, async () => {
      const { frame, conversationId } = await conversationOnSecondPage(`Snel weg via ${name}`);
      const left = nextEvent<{ conversationId: string; reason: string }>(operator, 'chat:visitor-left', {
        where: (p) => p.conversationId === conversationId,
      });
      await installProbe(context, page, 'host', probes);
      await installProbe(context, frame, 'chat', probes);
      const hostUrl = page.url();
      const historyLength = await page.evaluate(() => history.length);

      await trigger(page, frame);
      await page.waitForURL(host.weatherUrl);

      // In the very task of the trigger, right after the widget's handler: already blank.
      const origin = probeIn === 'host' ? host.origin : t.url;
      const atTrigger = probes.filter(
        (p) => p.where === probeIn && p.type === event && (key === '' || p.key === key),
      );
      expect(atTrigger.length).toBeGreaterThan(0);
      const last = atTrigger.at(-1)!;
      expect(last.display).toBe('none');
      expect(last.href.startsWith(origin)).toBe(true);
      // Earlier presses of a key sequence did not blank anything.
      for (const early of atTrigger.slice(0, -1)) expect(early.display).not.toBe('none');
      if (probeIn === 'chat') {
        // The host page was blanked when the chat told it, still before leaving.
        const hostMessage = probes.find((p) => p.where === 'host' && p.type === 'message');
        expect(hostMessage?.display).toBe('none');
        expect(hostMessage?.href).toBe(hostUrl);
      }

      expect((await left).reason).toBe('quick-exit');
      expect(await page.evaluate(() => history.length)).toBe(historyLength);

      await page.goBack({ waitUntil: 'commit' });
      expect(page.url()).toBe(host.pageUrl('/'));
      const launcher = page.locator('[data-sl=launcher]');
      await launcher.waitFor();
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
      expect(page.frames().filter((f) => f.url().startsWith(t.url))).toEqual([]);
    });
  }

  for (const [key, times] of [
    ['Shift', 3],
    ['Escape', 2],
  ] as const) {
    it(`${key}×${times} pressed the moment the frame appears, on a CPU 6× slower: blank at once, gone`, async () => {
      await page.goto(host.pageUrl('/'));
      await page.locator('#elders').click();
      await page.waitForURL(/\/elders$/);
      const launcher = page.locator('[data-sl=launcher]');
      await launcher.waitFor();
      const historyLength = await page.evaluate(() => history.length);
      await installProbe(context, page, 'host', probes);
      // A slow phone: the CPU throttled, and the chat app's script held back a little more,
      // so that the keys surely come before the app listens.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
      await context.route(/\/chat\/assets\/.+\.js$/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue().catch(() => {});
      });
      await launcher.click();
      // The moment the frame appears: its page is there, its app not yet running.
      await expect
        .poll(
          () =>
            page
              .frames()
              .find((f) => f.url().startsWith(`${t.url}/chat`))
              ?.evaluate(() => `${document.readyState} ${!!document.querySelector('[data-sl=start]')}`)
              .catch(() => undefined),
          { interval: 20 },
        )
        .toBe('interactive false');
      for (let i = 0; i < times; i++) await page.keyboard.press(key);
      await page.waitForURL(host.weatherUrl);
      const presses = probes.filter(
        (p) => p.key === key && p.type === (key === 'Shift' ? 'keyup' : 'keydown'),
      );
      expect(presses.map((p) => p.display)).toEqual([...Array<string>(times - 1).fill('block'), 'none']);
      expect(await page.evaluate(() => history.length)).toBe(historyLength);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    });
  }

  it('Shift×3 in the chat frame after a tap into it, while the app has not arrived: the first script hears them', async () => {
    await page.goto(host.pageUrl('/'));
    await page.locator('#elders').click();
    await page.waitForURL(/\/elders$/);
    await page.locator('[data-sl=launcher]').waitFor();
    const historyLength = await page.evaluate(() => history.length);
    // The app's script never arrives (a line that stalls): only the page's first script runs.
    await context.route(/\/chat\/assets\/.+\.js$/, (route) => route.abort());
    await page.locator('[data-sl=launcher]').click();
    let frame: Frame | undefined;
    await expect
      .poll(
        async () => {
          frame = page.frames().find((f) => f.url().startsWith(`${t.url}/chat`));
          return frame
            ?.evaluate(() => document.readyState !== 'loading' && !document.querySelector('[data-sl=start]'))
            .catch(() => undefined);
        },
        { interval: 20 },
      )
      .toBe(true);
    // The visitor taps into the chat, which is still loading: keys go to the frame now.
    const box = await page.locator('iframe').boundingBox();
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    expect(await frame!.evaluate(() => document.hasFocus())).toBe(true);
    await installProbe(context, frame!, 'chat', probes);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift');
    await page.waitForURL(host.weatherUrl);
    const presses = probes.filter((p) => p.where === 'chat' && p.type === 'keyup' && p.key === 'Shift');
    expect(presses.map((p) => `${p.display} ${p.app ? 'app' : 'no app yet'}`)).toEqual([
      'block no app yet',
      'block no app yet',
      'none no app yet',
    ]);
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
  });

  it('Back to a page left mid-conversation (back/forward cache) shows an empty widget', async () => {
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    await frame.locator('[data-sl=role-bystander]').check();
    await frame.locator('[data-sl=start]').click();
    await frame.locator('[data-sl=return-code]').waitFor();
    const restored: boolean[] = [];
    await page.exposeBinding('__slRestored', (_source, persisted: boolean) => restored.push(persisted));
    await page.evaluate(() =>
      addEventListener('pageshow', (event) =>
        (window as unknown as { __slRestored(p: boolean): void }).__slRestored(event.persisted),
      ),
    );
    await page.locator('#elders').click();
    await page.waitForURL(/\/elders$/);
    await page.goBack({ waitUntil: 'commit' });
    // Really restored from the back/forward cache, with the chat's old frame in it.
    await expect.poll(() => restored).toEqual([true]);
    const launcher = page.locator('[data-sl=launcher]');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(page.frames().filter((f) => f.url().startsWith(t.url))).toEqual([]);
    await launcher.click();
    const fresh = await chatFrame(page, t.url);
    expect(await fresh.locator('[data-sl=return-code]').count()).toBe(0);
    expect(await fresh.locator('[data-sl=role-bystander]').isChecked()).toBe(false);
  });

  it('full-page /chat leaves by itself: blank at once, server told, address replaced', async () => {
    await page.goto(`${t.url}/`);
    await page.goto(`${t.url}/chat`);
    const assigned = nextAssignment(operator);
    await page.locator('[data-sl=role-victim]').check();
    await page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await page.getByRole('heading', { name: 'Je praat met Anna' }).waitFor();
    const left = nextEvent<{ conversationId: string; reason: string }>(operator, 'chat:visitor-left', {
      where: (p) => p.conversationId === conversationId,
    });
    await installProbe(context, page, 'host', probes);
    const historyLength = await page.evaluate(() => history.length);
    await page.locator('[data-sl=quick-exit]').click();
    await page.waitForURL(host.weatherUrl);
    expect(probes.find((p) => p.type === 'click')?.display).toBe('none');
    expect((await left).reason).toBe('quick-exit');
    expect(await page.evaluate(() => history.length)).toBe(historyLength);
    await page.goBack({ waitUntil: 'commit' });
    expect(page.url()).toBe(`${t.url}/`);
  });

  it('never counts Shift used with another key, and a live region counts the presses', async () => {
    await page.goto(host.pageUrl('/'));
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    const url = page.url();
    const announcement = () =>
      frame.evaluate(() => document.querySelector('body > [role=status]')?.textContent ?? null);

    const composerless = frame.locator('[data-sl=first-message]');
    await composerless.click();
    // Capitals, Shift+Enter and (below) Shift+Tab are all Shift with another key.
    for (const combo of ['Shift+A', 'Shift+B', 'Shift+C', 'Shift+D', 'Shift+Enter']) {
      await page.keyboard.press(combo);
    }
    await page.keyboard.type('Hallo Ik Ben Hier');
    expect(await composerless.inputValue()).toBe('ABCD\nHallo Ik Ben Hier');
    // Two lone presses, then any other key: the count starts again.
    await page.keyboard.press('Shift');
    expect(await announcement()).toBe('Druk nog 2 keer op Shift om snel weg te gaan.');
    await page.keyboard.press('Shift');
    expect(await announcement()).toBe('Druk nog 1 keer op Shift om snel weg te gaan.');
    await page.keyboard.press('x');
    expect(await announcement()).toBe('');
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');

    // On the host page too, with the loader's own live region.
    const hostAnnouncement = () =>
      page.evaluate(() => {
        for (const host of document.querySelectorAll('body > div')) {
          const status = host.shadowRoot?.querySelector('[role=status]');
          if (status) return status.textContent;
        }
        return null;
      });
    await page.locator('#zoek').click();
    await page.keyboard.press('Shift');
    expect(await hostAnnouncement()).toBe('Druk nog 2 keer op Shift om snel weg te gaan.');
    await page.keyboard.press('Shift');
    await page.keyboard.type('AB');
    expect(await hostAnnouncement()).toBe('');
    await page.keyboard.press('Shift');

    expect(page.url()).toBe(url);
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
    expect(await frame.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
    expect(await page.locator('#zoek').inputValue()).toBe('AB');
  });
});
