import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureWidgetBuilt, nextAssignment, signInOperator } from '../browser/widget-support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { collect, emitAck, nextEvent, type OperatorSocket } from '../support/clients.ts';
import {
  chosenEngines,
  type Engine,
  type EnginePage,
  type ExitKey,
  launchEngine,
  type Where,
} from './drivers.ts';
import {
  type EngineHost,
  embedCspLines,
  type HelplineProxy,
  type ProbeReport,
  startEngineHost,
  startHelplineProxy,
} from './servers.ts';

/**
 * The widget's safety tests, in every engine a visitor may have: Chromium, Firefox ESR
 * (Gecko) and WebKitGTK (Safari's engine). `SL_ENGINES=webkit npm run test:engines` runs one.
 */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The exit page answers this late, so that a test can look at the page being left. */
const EXIT_DELAY_MS = 2500;
/**
 * How long the chat app's script is held back to stand in for a slow phone (WebKit's and
 * Firefox's drivers cannot throttle the CPU). The tests that use it leave long before.
 */
const SLOW_APP_MS = 8000;

const touched = (page: EnginePage, where: Where) =>
  page.run(where, () => [...(window as unknown as { __slTouched: string[] }).__slTouched]);

/** Polls `read` until `ok` holds for its value; returns that value. */
async function poll<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch {
      // A page in the middle of a navigation answers nothing; ask again.
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The CSP violations a page reported (`directive blockedURI`), as its probe saw them. */
const violations = (page: EnginePage, where: Where) =>
  page.run(where, () => [...(window as unknown as { __slViolations: string[] }).__slViolations]);

/** What the chat frame's origin keeps on the device, read after the probe was checked (this reads). */
const stored = (page: EnginePage) =>
  page.run('chat', async () => {
    const denied = async <T>(read: () => T | Promise<T>, empty: T): Promise<T> => {
      try {
        return await read();
      } catch {
        return empty;
      }
    };
    return {
      cookie: await denied(() => document.cookie, ''),
      localStorage: await denied(() => localStorage.length, 0),
      sessionStorage: await denied(() => sessionStorage.length, 0),
      indexedDB: await denied(async () => (await indexedDB.databases()).length, 0),
      caches: await denied(async () => (await caches.keys()).length, 0),
      serviceWorkers: await denied(async () => (await navigator.serviceWorker.getRegistrations()).length, 0),
    };
  });

describe("the README's embed guide", () => {
  it('gives exactly the CSP lines the test host page uses', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const guide = readme.slice(readme.indexOf('## Embedding the widget'));
    const block = /needs exactly these \w+ lines[\s\S]*?```\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block?.trim().split('\n')).toEqual(embedCspLines('https://chat.stillelijn.nl'));
  });
});

for (const engineName of chosenEngines()) {
  describe(`the widget in ${engineName}`, () => {
    let engine: Engine;
    let host: EngineHost;
    let t: TestApp;
    let proxy: HelplineProxy;
    let operator: OperatorSocket;
    let page: EnginePage;
    let helpline = '';

    beforeAll(async () => {
      ensureWidgetBuilt();
      host = await startEngineHost(() => helpline);
      engine = await launchEngine(engineName);
    });
    afterAll(async () => {
      await engine?.close();
      await host?.close();
    });
    beforeEach(async () => {
      host.exitDelay = EXIT_DELAY_MS;
      t = await startTestApp({ EMBED_ORIGINS: host.origin, QUICK_EXIT_URL: host.weatherUrl });
      proxy = await startHelplineProxy(Number(new URL(t.url).port));
      helpline = proxy.url;
      operator = await signInOperator(t, { displayName: 'Anna de Vries', available: true });
      page = await engine.newPage(helpline);
    });
    afterEach(async () => {
      await page?.close();
      operator?.disconnect();
      await proxy?.close();
      await t?.close();
    });

    const startScreen = () =>
      poll(
        'the start screen',
        () => page.run('chat', () => !!document.querySelector('[data-sl=start]')),
        Boolean,
      );

    /**
     * Waits until the document at `url` is the one on screen and fully loaded (its probe saw
     * `pageshow`). An address alone is not enough: WebKit names a page before it is there,
     * and Back from a page not yet committed goes one step too far.
     */
    const arrivedAt = async (url: string) => {
      // First the address, read without a script where the driver can (WebKit: a script
      // sent mid-navigation may go unanswered), then the document itself.
      await poll(
        `the address ${url}`,
        () => page.url(),
        (u) => u === url,
      );
      return poll(
        url,
        () =>
          page.run('top', () => ({
            href: location.href,
            ready: document.readyState,
            shown: (window as unknown as { __slPageshow?: boolean[] }).__slPageshow?.length ?? 0,
          })),
        (p) => p.href === url && p.ready === 'complete' && p.shown > 0,
      );
    };

    /** Waits for the loader's launcher on the host page (with `data-line`, after the line was read). */
    const launcherShown = () =>
      poll(
        'the launcher',
        () =>
          page.run(
            'top',
            () =>
              [...document.querySelectorAll('body > div')].filter((d) =>
                d.shadowRoot?.querySelector('[data-sl=launcher]'),
              ).length,
          ),
        (n) => n === 1,
      );

    /** Host page `/`, then (a normal navigation) `/elders`, with its launcher; returns `history.length` there. */
    async function onSecondPage(): Promise<number> {
      await page.goto(host.pageUrl('/'));
      await arrivedAt(host.pageUrl('/'));
      await page.click('top', '#elders');
      await arrivedAt(host.pageUrl('/elders'));
      await launcherShown();
      return page.run('top', () => history.length);
    }

    /**
     * From here on, only what the pages in `where` report next counts: a mark in each page's
     * own sequence (reports still on their way from before do not count when they arrive).
     */
    async function markReports(...where: Where[]): Promise<void> {
      for (const w of where) {
        const id = await page.run(w, () => (window as unknown as { __slMark(): string }).__slMark());
        await poll(`the mark in ${w}`, async () => proxy.hasMark(id), Boolean);
      }
    }

    /** The probes' reports once `enough` holds for them (beacons may take a moment). */
    const reportsOnce = (what: string, enough: (reports: ProbeReport[]) => boolean) =>
      poll(what, async () => proxy.reports(), enough, 15_000);

    /**
     * Quick exit by the host page's Snel weg button: blank in the click's own task (the
     * probe's report), then the exit page in place of this one (`location.replace`).
     */
    async function quickExitByHostButton(): Promise<void> {
      const historyLength = await page.run('top', () => history.length);
      const here = await page.run('top', () => location.href);
      await markReports('top');
      await page.click('top', '[data-sl=quick-exit]');
      const isClick = (e: ProbeReport) => e.where === 'top' && e.href === here && e.type === 'click';
      const reports = await reportsOnce('the click on Snel weg', (rs) => rs.some(isClick));
      expect(reports.filter(isClick).map((e) => e.display)).toEqual(['none']);
      await arriveAtExitPage();
      expect(await page.run('top', () => history.length)).toBe(historyLength);
    }

    /** Opens the chat on the page on screen and starts a conversation as a victim; its id once the composer shows. */
    async function startConversation(): Promise<string> {
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      const assigned = nextAssignment(operator);
      await page.click('chat', '[data-sl=role-victim]');
      await page.click('chat', '[data-sl=start]');
      const conversationId = await assigned;
      await poll(
        'the composer',
        () => page.run('chat', () => !!document.querySelector('[data-sl=composer]')),
        Boolean,
      );
      return conversationId;
    }

    /** Host page `/`, then `/elders` with a conversation under way (so Back has somewhere to go). */
    async function conversationOnSecondPage(): Promise<string> {
      await onSecondPage();
      return startConversation();
    }

    /** Waits for the exit page (no probe there: it is not the helpline's page). */
    async function arriveAtExitPage(): Promise<void> {
      await poll(
        `the address ${host.weatherUrl}`,
        () => page.url(),
        (u) => u === host.weatherUrl,
      );
      await poll(
        'the exit page',
        () => page.run('top', () => ({ href: location.href, title: document.title })),
        (p) => p.href === host.weatherUrl && p.title === 'Weerbericht',
      );
    }

    /** After leaving: the address was replaced, and Back shows the page before with an empty, closed widget. */
    async function expectLeftWithoutTrace(historyLength: number): Promise<void> {
      await arriveAtExitPage();
      expect(await page.run('top', () => history.length)).toBe(historyLength);
      await page.back();
      await poll(
        'Back',
        () => page.url(),
        // /elders, where the chat was, is no longer in the history: replaced by the exit page.
        (url) => url === host.pageUrl('/'),
      );
      await poll(
        'the closed widget after Back',
        () =>
          page.run('top', () => {
            const launcher = [...document.querySelectorAll('body > div')]
              .map((d) => d.shadowRoot?.querySelector('[data-sl=launcher]'))
              .find(Boolean);
            return {
              launcher: launcher?.getAttribute('aria-expanded') ?? null,
              frames: [...document.querySelectorAll('body > div')].filter((d) =>
                d.shadowRoot?.querySelector('iframe'),
              ).length,
              display: getComputedStyle(document.documentElement).display,
            };
          }),
        (s) => s.launcher === 'false' && s.frames === 0 && s.display !== 'none',
      );
    }

    interface Trigger {
      /** Where the trigger's events happen: the host page or the chat frame. */
      where: Where;
      run: () => Promise<void>;
      event: string;
      key: string;
      /** How many of those events make one quick exit. */
      presses: number;
    }
    const pressKeys = (where: Where, key: ExitKey, presses: number): Trigger => ({
      where,
      run: async () => {
        // On the host page, its search field: at the left, where the chat's panel does not
        // cover it (at Firefox's 800 px the page's heading is under the panel).
        await page.click(where, where === 'top' ? '#zoek' : '[data-sl=composer]');
        await page.press(key, presses);
      },
      event: key === 'Shift' ? 'keyup' : 'keydown',
      key,
      presses,
    });
    const triggers: Record<string, Trigger> = {
      'the Snel weg button on the host page': {
        where: 'top',
        run: () => page.click('top', '[data-sl=quick-exit]'),
        event: 'click',
        key: '',
        presses: 1,
      },
      'the Snel weg button in the chat': {
        where: 'chat',
        run: () => page.click('chat', '[data-sl=quick-exit]'),
        event: 'click',
        key: '',
        presses: 1,
      },
      'Shift pressed three times in the chat': pressKeys('chat', 'Shift', 3),
      'Esc pressed twice in the chat': pressKeys('chat', 'Escape', 2),
      'Shift pressed three times on the host page': pressKeys('top', 'Shift', 3),
      'Esc pressed twice on the host page': pressKeys('top', 'Escape', 2),
    };

    for (const [name, trigger] of Object.entries(triggers)) {
      it(`quick exit by ${name}: blank at once, server told, address replaced, Back shows nothing`, async () => {
        const conversationId = await conversationOnSecondPage();
        const left = nextEvent<{ conversationId: string; reason: string }>(operator, 'chat:visitor-left', {
          where: (p) => p.conversationId === conversationId,
        });
        const historyLength = await page.run('top', () => history.length);
        const matches = (e: ProbeReport) =>
          e.where === trigger.where &&
          e.type === trigger.event &&
          (trigger.key === '' || e.key === trigger.key) &&
          (e.where === 'chat' || e.href === host.pageUrl('/elders'));
        // Only what the trigger itself causes counts: the clicks that started the chat do not.
        await markReports('top', 'chat');

        await trigger.run();
        const reports = await reportsOnce(
          `${trigger.presses} × ${trigger.event} ${trigger.key} in ${trigger.where}`,
          (rs) =>
            rs.filter(matches).length >= trigger.presses &&
            (trigger.where === 'top' || rs.some((e) => e.where === 'top' && e.type === 'message')),
        );
        const seen = reports.filter(matches);
        expect(seen.length, JSON.stringify(reports)).toBe(trigger.presses);
        // Blank in the very task of the trigger; earlier presses of a sequence blanked nothing.
        expect(seen.at(-1)?.display, JSON.stringify(reports)).toBe('none');
        for (const early of seen.slice(0, -1))
          expect(early.display, JSON.stringify(reports)).not.toBe('none');
        // The chat told the host page (Firefox once missed this), which blanked at once.
        if (trigger.where === 'chat') {
          const told = reports.filter((e) => e.where === 'top' && e.type === 'message');
          expect(told.at(-1)?.display, JSON.stringify(reports)).toBe('none');
          expect(told.at(-1)?.href).toBe(host.pageUrl('/elders'));
        }
        expect((await left).reason).toBe('quick-exit');
        await expectLeftWithoutTrace(historyLength);
      });
    }

    for (const [key, times] of [
      ['Shift', 3],
      ['Escape', 2],
    ] as [ExitKey, number][]) {
      const event = key === 'Shift' ? 'keyup' : 'keydown';
      const isPress = (e: ProbeReport) => e.key === key && e.type === event;

      it(`quick exit by ${key}×${times} pressed the moment the frame appears, while the chat app is still loading`, async () => {
        const historyLength = await onSecondPage();
        proxy.delay(/^\/chat\/assets\/.+\.js$/, SLOW_APP_MS);
        await markReports('top');
        await page.click('top', '[data-sl=launcher]');
        await page.press(key, times);
        // The app had not started yet, and focus stays on the host page until the chat
        // says it listens: the host page heard the keys and blanked at the last.
        const reports = await reportsOnce(`${times} × ${key}`, (rs) => rs.filter(isPress).length >= times);
        expect(
          reports.filter(isPress).map((e) => `${e.where} ${e.display}`),
          JSON.stringify(reports),
        ).toEqual([...Array<string>(times - 1).fill('top block'), 'top none']);
        await expectLeftWithoutTrace(historyLength);
      });

      it(`quick exit by ${key}×${times} pressed in the chat frame before the chat app arrives (its first inline script)`, async () => {
        const historyLength = await onSecondPage();
        proxy.delay(/^\/chat\/assets\/.+\.js$/, SLOW_APP_MS);
        await page.click('top', '[data-sl=launcher]');
        // The chat page is there and asks for its app, which is held back. (Read at the proxy:
        // Firefox's driver cannot reach into a frame whose module scripts are pending.)
        await poll(
          'the chat app asked for',
          async () => proxy.heldBack(),
          (h) => h.asked > 0,
        );
        // A tap on the frame puts the keys there, as a visitor's would; its probe saw it.
        await markReports('top');
        await page.click('top', 'iframe');
        await reportsOnce('the tap in the chat page', (rs) =>
          rs.some((e) => e.where === 'chat' && e.type === 'click'),
        );
        await page.press(key, times);
        const reports = await reportsOnce(
          `${times} × ${key} in the chat, and the host page told`,
          (rs) =>
            rs.filter(isPress).length >= times && rs.some((e) => e.where === 'top' && e.type === 'message'),
        );
        expect(
          reports.filter(isPress).map((e) => `${e.where} ${e.display}`),
          JSON.stringify(reports),
        ).toEqual([...Array<string>(times - 1).fill('chat block'), 'chat none']);
        // The early script told the loader (embedded in Firefox too), which blanked the host page.
        const told = reports.filter((e) => e.where === 'top' && e.type === 'message');
        expect(told.at(-1)?.display, JSON.stringify(reports)).toBe('none');
        // All of it before the app's script had left the proxy.
        expect(proxy.heldBack().released).toBe(0);
        await expectLeftWithoutTrace(historyLength);
      });
    }

    it('leaves nothing on the device and touches no storage, notification or sound API', async () => {
      await page.goto(host.pageUrl('/'));
      await launcherShown();
      // The probe is in place on both pages (or this test could not fail).
      expect(
        await page.run('top', () =>
          Array.isArray((window as unknown as { __slTouched: unknown }).__slTouched),
        ),
      ).toBe(true);
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      expect(await touched(page, 'chat')).toEqual([]);
      const assigned = nextAssignment(operator);
      await page.click('chat', '[data-sl=role-concerned]');
      await page.click('chat', '[data-sl=start]');
      const conversationId = await assigned;
      const received = collect<{ text: string }>(operator, 'chat:message');
      await page.type('chat', '[data-sl=composer]', 'Mijn zus wordt bedreigd');
      await page.click('chat', '[data-sl=send]');
      await poll(
        'the message at the operator',
        async () => received.map((m) => m.text),
        (texts) => texts.includes('Mijn zus wordt bedreigd'),
      );
      // An operator's message and typing: the moments a chat app would ping or buzz.
      operator.emit('chat:typing', { conversationId, typing: true });
      const ack = await emitAck<{ ok: boolean }>(operator, 'chat:message', {
        conversationId,
        clientMessageId: 'op-1',
        text: 'Ik lees met je mee.',
      });
      expect(ack.ok).toBe(true);
      await poll(
        'the operator message',
        () =>
          page.run('chat', () => document.querySelectorAll('[data-sl=message][data-from=operator]').length),
        (n) => n > 0,
      );
      expect(await touched(page, 'chat')).toEqual([]);
      expect(await touched(page, 'top')).toEqual([]);
      expect(await stored(page)).toEqual({
        cookie: '',
        localStorage: 0,
        sessionStorage: 0,
        indexedDB: 0,
        caches: 0,
        serviceWorkers: 0,
      });
    });

    it('reconnects after a real cut and delivers what was written meanwhile exactly once', async () => {
      await page.goto(host.pageUrl('/'));
      const conversationId = await startConversation();
      const received = collect<{ conversationId: string; text: string }>(operator, 'chat:message');

      proxy.cut();
      await poll(
        'the offline banner',
        () => page.run('chat', () => !!document.querySelector('[data-sl=offline-banner]')),
        Boolean,
      );
      await page.type('chat', '[data-sl=composer]', 'Ben je er nog?');
      await page.click('chat', '[data-sl=send]');
      proxy.restore();
      await poll(
        'the banner gone',
        () => page.run('chat', () => !document.querySelector('[data-sl=offline-banner]')),
        Boolean,
      );
      await poll(
        'the message after the cut',
        async () => received.filter((m) => m.text === 'Ben je er nog?').length,
        (n) => n > 0,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        received.filter((m) => m.conversationId === conversationId && m.text === 'Ben je er nog?'),
      ).toHaveLength(1);
    });

    it('speaks Arabic right to left, on the host page and in the chat', async () => {
      await page.goto(host.pageUrl('/', { lang: 'ar' }));
      await launcherShown();
      expect(
        await page.run('top', () =>
          [...document.querySelectorAll('body > div')].map((d) => d.getAttribute('dir')),
        ),
      ).toEqual(['rtl', 'rtl']);
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      const chat = await page.run('chat', () => {
        const exit = document.querySelector('[data-sl=quick-exit]')!.getBoundingClientRect();
        return {
          lang: document.documentElement.lang,
          dir: document.documentElement.dir,
          // Right to left, the first control of the bar sits at the right.
          exitOnTheRight: exit.left > innerWidth / 2,
          arabic: /[\u0600-\u06FF]/.test(document.querySelector('[data-sl=start]')!.textContent ?? ''),
        };
      });
      expect(chat).toEqual({ lang: 'ar', dir: 'rtl', exitOnTheRight: true, arabic: true });
    });

    it('has no axe violations on the host page and in the chat', async () => {
      await page.goto(host.pageUrl('/'));
      await launcherShown();
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      for (const where of ['top', 'chat'] as const) {
        // Injected by the driver, past the page's CSP, as axe's own integrations do.
        await page.inject(where, axeSource);
        const violations = await page.run(where, async () => {
          const axe = (
            window as unknown as {
              axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
            }
          ).axe;
          const result = await axe.run();
          return result.violations.map(
            (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
        });
        expect(violations, where).toEqual([]);
      }
    });

    // Left on the start screen with a role chosen and words typed: a conversation's open
    // socket keeps Firefox from caching the page at all (then Back loads it afresh; the
    // Chromium browser test covers the cache mid-conversation).
    it('Back to a page restored from the back/forward cache (event.persisted) shows an empty widget', async () => {
      await page.goto(host.pageUrl('/'));
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      await page.click('chat', '[data-sl=role-bystander]');
      await page.type('chat', '[data-sl=first-message]', 'Mijn buren');
      expect(
        await page.run(
          'chat',
          () => document.querySelector<HTMLTextAreaElement>('[data-sl=first-message]')?.value,
        ),
      ).toBe('Mijn buren');
      await page.click('top', '#elders');
      await arrivedAt(host.pageUrl('/elders'));
      await page.back();
      await arrivedAt(host.pageUrl('/'));
      // Really restored from the cache: the probe of the first visit saw pageshow again.
      const shows = await poll(
        'pageshow after Back',
        () => page.run('top', () => [...(window as unknown as { __slPageshow: boolean[] }).__slPageshow]),
        (list) => list.length >= 2,
      );
      expect(shows.at(-1)).toBe(true);
      const widget = await page.run('top', () => {
        const roots = [...document.querySelectorAll('body > div')].map((d) => d.shadowRoot);
        return {
          expanded: roots
            .map((r) => r?.querySelector('[data-sl=launcher]')?.getAttribute('aria-expanded'))
            .find(Boolean),
          frames: roots.filter((r) => r?.querySelector('iframe')).length,
        };
      });
      expect(widget).toEqual({ expanded: 'false', frames: 0 });
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      expect(
        await page.run('chat', () => ({
          role: document.querySelector<HTMLInputElement>('[data-sl=role-bystander]')?.checked,
          text: document.querySelector<HTMLTextAreaElement>('[data-sl=first-message]')?.value,
        })),
      ).toEqual({ role: false, text: '' });
    });

    it('works on a host page whose CSS styles every button and iframe heavily', async () => {
      await page.goto(host.pageUrl('/', { styled: '1' }));
      await launcherShown();
      const boxes = await page.run('top', () =>
        [...document.querySelectorAll('body > div')]
          .map((d) => d.shadowRoot?.querySelector('button[data-sl]'))
          .filter((b): b is HTMLButtonElement => !!b)
          .map((b) => {
            const r = b.getBoundingClientRect();
            const s = getComputedStyle(b);
            return {
              name: b.dataset.sl,
              ok: r.width >= 44 && r.height >= 44 && s.display !== 'none' && s.opacity === '1',
            };
          }),
      );
      expect(boxes).toEqual([
        { name: 'quick-exit', ok: true },
        { name: 'launcher', ok: true },
      ]);
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      const frameBox = await page.run('top', () => {
        const frame = [...document.querySelectorAll('body > div')]
          .map((d) => d.shadowRoot?.querySelector('iframe'))
          .find(Boolean);
        const r = frame?.getBoundingClientRect();
        return r ? r.width >= 280 && r.height >= 300 : false;
      });
      expect(frameBox).toBe(true);
      await quickExitByHostButton();
    });

    it('on a host page whose CSP blocks the chat frame: the loader says so on the console, quick exit still works', async () => {
      await page.goto(host.pageUrl('/', { blockframe: '1' }));
      await launcherShown();
      await page.click('top', '[data-sl=launcher]');
      const logged = await poll(
        'the loader on the console',
        () => page.run('top', () => [...(window as unknown as { __slConsole: string[] }).__slConsole]),
        (lines) => lines.some((l) => l.includes('Stille Lijn')),
      );
      expect(logged.find((l) => l.includes('Stille Lijn'))).toContain(`frame-src ${helpline}`);
      await quickExitByHostButton();
    });

    it("on a host page with exactly the embed guide's CSP lines and data-line: the line is read, nothing is refused, chat and quick exit work", async () => {
      await page.goto(host.pageUrl('/', { line: 'default' }));
      await launcherShown();
      expect(proxy.requests('/api/lines/default')).toBe(1);
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      // (The host page's own favicon is refused by its default-src 'none'; not the widget's.)
      const widgets = (list: string[]) => list.filter((v) => v.includes(helpline));
      expect(widgets(await violations(page, 'top'))).toEqual([]);
      expect(await violations(page, 'chat')).toEqual([]);
      await quickExitByHostButton();
    });

    it("on a host page whose CSP lacks the guide's connect-src line: the line cannot be read, the chat still opens and quick exit works", async () => {
      await page.goto(host.pageUrl('/', { line: 'default', noconnect: '1' }));
      await launcherShown();
      const refused = await poll(
        'the refused read of the line',
        () => violations(page, 'top'),
        (list) => list.length > 0,
      );
      expect(refused.filter((v) => v.includes('/api/lines/'))).toEqual([
        `connect-src ${helpline}/api/lines/default`,
      ]);
      expect(proxy.requests('/api/lines/default')).toBe(0);
      await page.click('top', '[data-sl=launcher]');
      await startScreen();
      // Without connect-src the probe's own beacons cannot leave the host page either: the
      // blanking is read from the probe's list in the page, at the click.
      const historyLength = await page.run('top', () => history.length);
      await page.click('top', '[data-sl=quick-exit]');
      const clicks = await poll(
        'the click in the page',
        () =>
          page.run('top', () =>
            (window as unknown as { __slEvents: { type: string; display: string }[] }).__slEvents
              .filter((e) => e.type === 'click')
              .map((e) => e.display),
          ),
        (list) => list.length > 0,
      );
      expect(clicks.at(-1)).toBe('none');
      await arriveAtExitPage();
      expect(await page.run('top', () => history.length)).toBe(historyLength);
    });
  });
}
