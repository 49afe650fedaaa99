import type { Frame, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import { chatFrame, nextAssignment, startSlowLine } from './widget-support.ts';

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
 *
 * Quick exit navigates away at once, so nothing a probe records may need the page to live
 * on: a CDP binding's call raced that navigation in CI, and Chromium answers no DevTools
 * command to a page whose cross-process navigation is pending. Each record leaves with
 * navigator.sendBeacon, which the browser delivers even as the page goes, to the page's
 * own site: the host site, or the line the helpline is reached through (`startSlowLine`).
 * `seq` restores the page's order, as beacons may arrive out of order.
 */
async function installProbe(target: Page | Frame): Promise<void> {
  await target.evaluate(() => {
    let seq = 0;
    const report = (event: Event) =>
      navigator.sendBeacon(
        '/__beacon',
        JSON.stringify({
          seq: seq++,
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

/** The probe records that reached `site`, in the page's order, once `until` holds for them. */
async function probesAt(
  site: { beacons(): unknown[] },
  where: Probe['where'],
  until: (probes: Probe[]) => boolean,
): Promise<Probe[]> {
  const sorted = () =>
    (site.beacons() as (Omit<Probe, 'where'> & { seq: number })[])
      .sort((a, b) => a.seq - b.seq)
      .map((p) => ({ ...p, where }));
  await expect.poll(() => until(sorted()), { timeout: 15_000 }).toBe(true);
  return sorted();
}

type Trigger = (page: Page, frame: Frame) => Promise<void>;

// The exit page is held until the test has read the probes, so a click must not wait for
// the navigation it starts (noWaitAfter).
const triggers: Record<string, { trigger: Trigger; probeIn: 'host' | 'chat'; event: string; key: string }> = {
  'the Snel weg button on the host page': {
    trigger: (page) => page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }),
    probeIn: 'host',
    event: 'click',
    key: '',
  },
  'the Snel weg button in the chat': {
    trigger: (_page, frame) => frame.locator('[data-sl=quick-exit]').click({ noWaitAfter: true }),
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
  const w = useWidgetPage({
    env: (host) => ({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl }),
    operator: { displayName: 'Anna de Vries', available: true },
    launch: { bfcache: true },
  });
  let line: Awaited<ReturnType<typeof startSlowLine>>;
  let helpline: string;

  beforeEach(async () => {
    // The helpline as the browser reaches it: through a line that delays nothing by default
    // and takes the probes' beacons on the helpline's own origin.
    line = await startSlowLine(w.t.url, /^$/, 0);
    helpline = line.url;
    w.host.setHelpline(helpline);
    w.host.clearBeacons();
  });
  afterEach(async () => {
    await line?.close();
  });

  /** Host page `/`, then (a normal navigation) `/elders` with a conversation under way. */
  async function conversationOnSecondPage(text: string): Promise<{ frame: Frame; conversationId: string }> {
    await w.page.goto(w.host.pageUrl('/'));
    await w.page.locator('#elders').click();
    await w.page.waitForURL(/\/elders$/);
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, helpline);
    const assigned = nextAssignment(w.operator);
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
      const left = nextEvent<{ conversationId: string; reason: string }>(w.operator, 'chat:visitor-left', {
        where: (p) => p.conversationId === conversationId,
      });
      await installProbe(w.page);
      await installProbe(frame);
      const hostUrl = w.page.url();
      const historyLength = await w.page.evaluate(() => history.length);
      const presses = key === 'Shift' ? 3 : key === 'Escape' ? 2 : 1;
      const matches = (p: Probe) => p.where === probeIn && p.type === event && (key === '' || p.key === key);

      await trigger(w.page, frame);
      await w.page.waitForURL(w.host.weatherUrl);
      const probes = [
        ...(await probesAt(w.host, 'host', (ps) =>
          probeIn === 'host' ? ps.filter(matches).length >= presses : ps.some((p) => p.type === 'message'),
        )),
        ...(await probesAt(line, 'chat', (ps) => probeIn === 'host' || ps.filter(matches).length >= presses)),
      ];

      // In the very task of the trigger, right after the widget's handler: already blank.
      const origin = probeIn === 'host' ? w.host.origin : helpline;
      const atTrigger = probes.filter(matches);
      expect(atTrigger.length).toBe(presses);
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
      expect(await w.page.evaluate(() => history.length)).toBe(historyLength);

      await w.page.goBack({ waitUntil: 'commit' });
      expect(w.page.url()).toBe(w.host.pageUrl('/'));
      const launcher = w.page.locator('[data-sl=launcher]');
      await launcher.waitFor();
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await w.page.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe(
        'none',
      );
      expect(w.page.frames().filter((f) => f.url().startsWith(helpline))).toEqual([]);
    });
  }

  for (const [key, times] of [
    ['Shift', 3],
    ['Escape', 2],
  ] as const) {
    it(`${key}×${times} pressed the moment the frame appears, on a CPU 6× slower: blank at once, gone`, async () => {
      // A slow phone: the CPU throttled (below), and the chat app's script held back a little
      // more on its way, so that the keys surely come before the app listens.
      await line.close();
      line = await startSlowLine(w.t.url, /^\/chat\/assets\/.+\.js$/, 1500);
      helpline = line.url;
      w.host.setHelpline(helpline);
      await w.page.goto(w.host.pageUrl('/'));
      await w.page.locator('#elders').click();
      await w.page.waitForURL(/\/elders$/);
      const launcher = w.page.locator('[data-sl=launcher]');
      await launcher.waitFor();
      const historyLength = await w.page.evaluate(() => history.length);
      await installProbe(w.page);
      const cdp = await w.context.newCDPSession(w.page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
      await launcher.click();
      // The moment the frame appears: its page is there, its app not yet running.
      await expect
        .poll(
          () =>
            w.page
              .frames()
              .find((f) => f.url().startsWith(`${line.url}/chat`))
              ?.evaluate(() => `${document.readyState} ${!!document.querySelector('[data-sl=start]')}`)
              .catch(() => undefined),
          { interval: 20, timeout: 15_000 },
        )
        .toBe('interactive false');
      for (let i = 0; i < times; i++) await w.page.keyboard.press(key);
      await w.page.waitForURL(w.host.weatherUrl);
      const isPress = (p: Probe) => p.key === key && p.type === (key === 'Shift' ? 'keyup' : 'keydown');
      const presses = (await probesAt(w.host, 'host', (ps) => ps.filter(isPress).length >= times)).filter(
        isPress,
      );
      expect(presses.map((p) => p.display)).toEqual([...Array<string>(times - 1).fill('block'), 'none']);
      expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    });
  }

  it('Shift×3 in the chat frame after a tap into it, while the app has not arrived: the first script hears them', async () => {
    // The app's script never arrives (a line that stalls): only the page's first script runs.
    await line.close();
    line = await startSlowLine(w.t.url, /^\/chat\/assets\/.+\.js$/, Number.POSITIVE_INFINITY);
    helpline = line.url;
    w.host.setHelpline(helpline);
    await w.page.goto(w.host.pageUrl('/'));
    await w.page.locator('#elders').click();
    await w.page.waitForURL(/\/elders$/);
    await w.page.locator('[data-sl=launcher]').waitFor();
    const historyLength = await w.page.evaluate(() => history.length);
    await w.page.locator('[data-sl=launcher]').click();
    let frame: Frame | undefined;
    await expect
      .poll(
        async () => {
          frame = w.page.frames().find((f) => f.url().startsWith(`${helpline}/chat`));
          return frame
            ?.evaluate(() => document.readyState !== 'loading' && !document.querySelector('[data-sl=start]'))
            .catch(() => undefined);
        },
        { interval: 20, timeout: 15_000 },
      )
      .toBe(true);
    // The visitor taps into the chat, which is still loading: keys go to the frame now.
    const box = await w.page.locator('iframe').boundingBox();
    await w.page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    expect(await frame!.evaluate(() => document.hasFocus())).toBe(true);
    await installProbe(frame!);
    for (let i = 0; i < 3; i++) await w.page.keyboard.press('Shift');
    await w.page.waitForURL(w.host.weatherUrl);
    const isPress = (p: Probe) => p.type === 'keyup' && p.key === 'Shift';
    const presses = (await probesAt(line, 'chat', (ps) => ps.filter(isPress).length >= 3)).filter(isPress);
    expect(presses.map((p) => `${p.display} ${p.app ? 'app' : 'no app yet'}`)).toEqual([
      'block no app yet',
      'block no app yet',
      'none no app yet',
    ]);
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
  });

  it('Back to a page left mid-conversation (back/forward cache) shows an empty widget', async () => {
    await w.page.goto(w.host.pageUrl('/'));
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, helpline);
    await frame.locator('[data-sl=role-bystander]').check();
    await frame.locator('[data-sl=start]').click();
    await frame.locator('[data-sl=return-code]').waitFor();
    // Recorded in the page itself: a page restored from the cache keeps it, a fresh one has none.
    await w.page.evaluate(() => {
      const restored: boolean[] = [];
      Object.defineProperty(window, '__slRestored', { value: restored });
      addEventListener('pageshow', (event) => restored.push(event.persisted));
    });
    await w.page.locator('#elders').click();
    await w.page.waitForURL(/\/elders$/);
    await w.page.goBack({ waitUntil: 'commit' });
    // Really restored from the back/forward cache, with the chat's old frame in it.
    await expect
      .poll(() =>
        w.page.evaluate(() => (window as unknown as { __slRestored?: boolean[] }).__slRestored ?? null),
      )
      .toEqual([true]);
    const launcher = w.page.locator('[data-sl=launcher]');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(w.page.frames().filter((f) => f.url().startsWith(helpline))).toEqual([]);
    await launcher.click();
    const fresh = await chatFrame(w.page, helpline);
    expect(await fresh.locator('[data-sl=return-code]').count()).toBe(0);
    expect(await fresh.locator('[data-sl=role-bystander]').isChecked()).toBe(false);
  });

  it('full-page /chat leaves by itself: blank at once, server told, address replaced', async () => {
    await w.page.goto(`${line.url}/`);
    await w.page.goto(`${line.url}/chat`);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    await w.page.getByRole('heading', { name: 'Je praat met Anna' }).waitFor();
    const left = nextEvent<{ conversationId: string; reason: string }>(w.operator, 'chat:visitor-left', {
      where: (p) => p.conversationId === conversationId,
    });
    await installProbe(w.page);
    const historyLength = await w.page.evaluate(() => history.length);
    await w.page.locator('[data-sl=quick-exit]').click({ noWaitAfter: true });
    await w.page.waitForURL(w.host.weatherUrl);
    const probes = await probesAt(line, 'host', (ps) => ps.some((p) => p.type === 'click'));
    expect(probes.find((p) => p.type === 'click')?.display).toBe('none');
    expect((await left).reason).toBe('quick-exit');
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
    await w.page.goBack({ waitUntil: 'commit' });
    expect(w.page.url()).toBe(`${line.url}/`);
  });

  it('never counts Shift used with another key, and a live region counts the presses', async () => {
    await w.page.goto(w.host.pageUrl('/'));
    await w.page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(w.page, helpline);
    const url = w.page.url();
    const announcement = () =>
      frame.evaluate(() => document.querySelector('body > [role=status]')?.textContent ?? null);

    const composerless = frame.locator('[data-sl=first-message]');
    await composerless.click();
    // Capitals, Shift+Enter and (below) Shift+Tab are all Shift with another key.
    for (const combo of ['Shift+A', 'Shift+B', 'Shift+C', 'Shift+D', 'Shift+Enter']) {
      await w.page.keyboard.press(combo);
    }
    await w.page.keyboard.type('Hallo Ik Ben Hier');
    expect(await composerless.inputValue()).toBe('ABCD\nHallo Ik Ben Hier');
    // Two lone presses, then any other key: the count starts again.
    await w.page.keyboard.press('Shift');
    expect(await announcement()).toBe('Druk nog 2 keer op Shift om snel weg te gaan.');
    await w.page.keyboard.press('Shift');
    expect(await announcement()).toBe('Druk nog 1 keer op Shift om snel weg te gaan.');
    await w.page.keyboard.press('x');
    expect(await announcement()).toBe('');
    await w.page.keyboard.press('Shift');
    await w.page.keyboard.press('Shift+Tab');
    await w.page.keyboard.press('Shift+Tab');
    await w.page.keyboard.press('Shift');
    await w.page.keyboard.press('Escape');
    await w.page.keyboard.press('Shift');
    await w.page.keyboard.press('Shift');

    // On the host page too, with the loader's own live region.
    const hostAnnouncement = () =>
      w.page.evaluate(() => {
        for (const host of document.querySelectorAll('body > div')) {
          const status = host.shadowRoot?.querySelector('[role=status]');
          if (status) return status.textContent;
        }
        return null;
      });
    await w.page.locator('#zoek').click();
    await w.page.keyboard.press('Shift');
    expect(await hostAnnouncement()).toBe('Druk nog 2 keer op Shift om snel weg te gaan.');
    await w.page.keyboard.press('Shift');
    await w.page.keyboard.type('AB');
    expect(await hostAnnouncement()).toBe('');
    await w.page.keyboard.press('Shift');

    expect(w.page.url()).toBe(url);
    expect(await w.page.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
    expect(await frame.evaluate(() => getComputedStyle(document.documentElement).display)).not.toBe('none');
    expect(await w.page.locator('#zoek').inputValue()).toBe('AB');
  });
});
