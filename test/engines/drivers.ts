import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Browser as PlaywrightBrowser,
  Frame as PlaywrightFrame,
  Page as PlaywrightPage,
} from 'playwright-core';
import puppeteer, {
  type ElementHandle,
  type Browser as PuppeteerBrowser,
  type Frame as PuppeteerFrame,
  type Page as PuppeteerPage,
} from 'puppeteer-core';
import { Builder, Key, type WebDriver, type WebElement } from 'selenium-webdriver';
import { launchChromium as launchPlaywrightChromium } from '../browser/widget-support.ts';

/**
 * One browser engine behind the few things the safety tests do, so that each test is
 * written once and runs in all three:
 * - Chromium through playwright-core (CDP);
 * - Firefox ESR through puppeteer-core over WebDriver BiDi (Playwright's Firefox is a
 *   build of its own that cannot be downloaded here);
 * - WebKitGTK through its classic WebDriver (`WebKitWebDriver` and its MiniBrowser),
 *   with selenium-webdriver as the client, under an Xvfb of its own.
 */
export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** `top` is the host page, `chat` the widget's chat frame in it. */
export type Where = 'top' | 'chat';
export type ExitKey = 'Shift' | 'Escape';

export interface EnginePage {
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /**
   * Runs `fn` in the page or the chat frame and returns its (JSON) result. `fn` must be
   * self-contained: its source is sent to the browser.
   */
  run<T>(where: Where, fn: (...args: never[]) => T | Promise<T>, ...args: unknown[]): Promise<T>;
  /** Runs a whole script (such as axe-core's source) in the page or the chat frame, past its CSP. */
  inject(where: Where, source: string): Promise<void>;
  /** A real pointer click on the first element matching `css`; on `top` it also looks inside the loader's shadow roots. */
  click(where: Where, css: string): Promise<void>;
  /** Types into the element matching `css` (a real key press per character). */
  type(where: Where, css: string, text: string): Promise<void>;
  /** Presses and releases `key` alone, `times` times, wherever focus is. */
  press(key: ExitKey, times: number): Promise<void>;
  back(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** A fresh, private window (no state shared with the previous one). */
  newPage(helpline: string, opts?: { size?: { width: number; height: number } }): Promise<EnginePage>;
  close(): Promise<void>;
}

/** The engines chosen by `SL_ENGINES` (comma-separated), all three by default. */
export function chosenEngines(): EngineName[] {
  const wanted = (process.env.SL_ENGINES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (wanted.length === 0) return [...ENGINES];
  const unknown = wanted.filter((name) => !ENGINES.includes(name as EngineName));
  if (unknown.length > 0)
    throw new Error(`SL_ENGINES: unknown engine(s) ${unknown.join(', ')}; use ${ENGINES.join(', ')}`);
  return wanted as EngineName[];
}

export function launchEngine(name: EngineName): Promise<Engine> {
  if (name === 'chromium') return launchChromium();
  if (name === 'firefox') return launchFirefox();
  return launchWebKit();
}

/** Finds an element on the host page, in the document or in the loader's open shadow roots (runs in the page). */
const FIND_ON_HOST = `(css) => {
  const direct = document.querySelector(css);
  if (direct) return direct;
  for (const host of document.querySelectorAll('body > div')) {
    const inside = host.shadowRoot && host.shadowRoot.querySelector(css);
    if (inside) return inside;
  }
  return null;
}`;

/**
 * `fn` called with `args`, as an expression's source: the drivers evaluate it as the
 * debugger does, so the pages' strict CSPs (no eval) do not apply to it.
 */
const call = (fn: (...args: never[]) => unknown, args: unknown[]) =>
  `(${fn.toString()})(...${JSON.stringify(args)})`;

async function until<T>(
  what: string,
  read: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------- Chromium (playwright-core)

async function launchChromium(): Promise<Engine> {
  // Back really restores pages from the back/forward cache, as in a visitor's browser.
  const browser: PlaywrightBrowser = await launchPlaywrightChromium({ bfcache: true });
  return {
    name: 'chromium',
    async newPage(helpline, { size } = {}) {
      const context = await browser.newContext(size ? { viewport: size } : {});
      const page = await context.newPage();
      const target = async (where: Where): Promise<PlaywrightPage | PlaywrightFrame> =>
        where === 'top'
          ? page
          : until('the chat frame', async () =>
              page.frames().find((f) => f.url().startsWith(`${helpline}/chat`)),
            );
      return {
        goto: async (url) => {
          await page.goto(url);
        },
        url: async () => page.url(),
        run: async <T>(where: Where, fn: (...args: never[]) => T | Promise<T>, ...args: unknown[]) =>
          (await (await target(where)).evaluate(call(fn, args))) as T,
        inject: async (where, source) => {
          await (await target(where)).evaluate(source);
        },
        // Not waiting for a navigation the click starts (noWaitAfter), as the other two
        // drivers do not: after a quick exit, the test reads the page that is being left.
        click: async (where, css) => (await target(where)).locator(css).first().click({ noWaitAfter: true }),
        type: async (where, css, text) => (await target(where)).locator(css).first().pressSequentially(text),
        press: async (key, times) => {
          for (let i = 0; i < times; i++) await page.keyboard.press(key);
        },
        back: async () => {
          await page.goBack({ waitUntil: 'commit' });
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------- Firefox ESR (puppeteer-core, WebDriver BiDi)

async function launchFirefox(): Promise<Engine> {
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      // No update checks, telemetry or remote settings: the machine has no way out.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  return {
    name: 'firefox',
    async newPage(helpline, { size } = {}) {
      const context = await browser.createBrowserContext();
      const page: PuppeteerPage = await context.newPage();
      if (size) await page.setViewport(size);
      const target = async (where: Where): Promise<PuppeteerPage | PuppeteerFrame> =>
        where === 'top'
          ? page
          : until('the chat frame', async () =>
              page.frames().find((f) => f.url().startsWith(`${helpline}/chat`)),
            );
      const element = async (where: Where, css: string) => {
        const t = await target(where);
        const handle = await until(`${css} in ${where}`, async () => {
          const found = await t.evaluateHandle(`(${FIND_ON_HOST})(${JSON.stringify(css)})`);
          const el = found.asElement() as ElementHandle<Element> | null;
          return el ?? undefined;
        });
        return handle;
      };
      return {
        goto: async (url) => {
          await page.goto(url);
        },
        // page.url() misses a restore from the back/forward cache; the page itself knows.
        url: async () => page.evaluate(() => location.href),
        run: async <T>(where: Where, fn: (...args: never[]) => T | Promise<T>, ...args: unknown[]) =>
          (await (await target(where)).evaluate(call(fn, args))) as T,
        inject: async (where, source) => {
          await (await target(where)).evaluate(source);
        },
        click: async (where, css) => {
          const handle = await element(where, css);
          await handle.click();
        },
        type: async (where, css, text) => {
          const handle = await element(where, css);
          await handle.click();
          await page.keyboard.type(text);
        },
        press: async (key, times) => {
          for (let i = 0; i < times; i++) await page.keyboard.press(key);
        },
        back: async () => {
          // Not page.goBack(): it waits for a load event, which a page restored from the
          // back/forward cache never fires. The same traversal, started in the page.
          await page.evaluate('setTimeout(() => history.back(), 0)');
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------- WebKitGTK (WebKitWebDriver, classic WebDriver)

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts Xvfb on a display it picks itself (`-displayfd`), so parallel runs never collide. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    xvfb.stdio[3]?.once('data', (data: Buffer) => resolve(`:${String(data).trim()}`));
  });
  return { display, process: xvfb };
}

/**
 * How long a script in WebKit may take. One sent while a navigation is under way may reach
 * the page being put away in the back/forward cache and never be answered; it then fails
 * after this long, and the polls that sent it ask again.
 */
const SCRIPT_ANSWER_MS = 5_000;
const answerWithin = <T>(ms: number, answer: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    answer,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the page within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

async function launchWebKit(): Promise<Engine> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const driverProcess = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: 'ignore',
  });
  const server = `http://127.0.0.1:${port}`;
  await until('WebKitWebDriver', async () => (await fetch(`${server}/status`)).ok);
  const sessions = new Set<WebDriver>();
  return {
    name: 'webkit',
    async newPage(helpline, { size } = {}) {
      const driver = await new Builder()
        .usingServer(server)
        .withCapabilities({
          browserName: 'MiniBrowser',
          // Commands do not wait for a navigation: a test may look at the page it is leaving.
          pageLoadStrategy: 'none',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        })
        .build();
      sessions.add(driver);
      if (size) await driver.manage().window().setRect({ width: size.width, height: size.height });
      let current: Where = 'top';
      const switchTo = async (where: Where) => {
        if (where === current) return;
        await driver.switchTo().defaultContent();
        current = 'top';
        if (where === 'chat') {
          const frame = await until('the chat frame', async () => {
            const found = (await driver.executeScript(
              `const find = ${FIND_ON_HOST}; return find(${JSON.stringify(`iframe[src^="${helpline}/chat"]`)});`,
            )) as WebElement | null;
            return found ?? undefined;
          });
          await driver.switchTo().frame(frame);
          current = 'chat';
        }
      };
      const element = async (where: Where, css: string): Promise<WebElement> => {
        await switchTo(where);
        return until(`${css} in ${where}`, async () => {
          const found = (await driver.executeScript(
            `const find = ${FIND_ON_HOST}; return find(${JSON.stringify(css)});`,
          )) as WebElement | null;
          return found ?? undefined;
        });
      };
      const keyOf = (key: ExitKey) => (key === 'Shift' ? Key.SHIFT : Key.ESCAPE);
      return {
        goto: async (url) => {
          current = 'top';
          await driver.get(url);
          await until(
            `${url} loaded`,
            async () =>
              (await driver.executeScript(
                'return document.readyState === "complete" && location.href',
              )) as string,
          );
        },
        url: async () => {
          await driver.switchTo().defaultContent();
          current = 'top';
          return driver.getCurrentUrl();
        },
        run: async <T>(where: Where, fn: (...args: never[]) => T | Promise<T>, ...args: unknown[]) => {
          await switchTo(where);
          return answerWithin(
            SCRIPT_ANSWER_MS,
            driver.executeScript<T>(`return (${fn.toString()})(...arguments)`, ...args),
          );
        },
        inject: async (where, source) => {
          await switchTo(where);
          await driver.executeScript(source);
        },
        click: async (where, css) => (await element(where, css)).click(),
        type: async (where, css, text) => {
          const el = await element(where, css);
          await el.click();
          await driver.actions().sendKeys(text).perform();
        },
        press: async (key, times) => {
          let actions = driver.actions();
          for (let i = 0; i < times; i++) actions = actions.keyDown(keyOf(key)).keyUp(keyOf(key));
          await actions.perform();
        },
        back: async () => {
          current = 'top';
          await driver.switchTo().defaultContent();
          const before = await driver.getCurrentUrl();
          await driver.navigate().back();
          // Until the traversal has committed, a script may go to the page being left (and
          // stay unanswered): wait for the address to change (read without a script).
          await until('Back', async () => (await driver.getCurrentUrl()) !== before);
        },
        close: async () => {
          sessions.delete(driver);
          await driver.quit();
        },
      };
    },
    async close() {
      for (const driver of sessions) await driver.quit().catch(() => {});
      driverProcess.kill();
      xvfb.process.kill();
    },
  };
}
