import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureConsoleBuilt, launchChromium, signInConsole } from '../support/browser.ts';

export interface UseConsoleOptions {
  /**
   * When the test app starts: before each test, once for the file, or in the test itself
   * with `start()`, for an environment of its own.
   * @default 'each'
   */
  app?: 'each' | 'file' | 'test';
  /** The app's environment, for `app: 'each'` and `'file'`. @default {} */
  env?: Record<string, string>;
  /** Every page's browser context. @default { viewport: { width: 1400, height: 1000 } } */
  context?: BrowserContextOptions;
}

export interface ConsoleHarness {
  /** The running app. */
  readonly t: TestApp;
  /** Starts this test's app (`app: 'test'`). */
  start(env?: Record<string, string>): Promise<TestApp>;
  /** A browser context of its own; `options` go on top of the harness's. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a context of its own. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A page in a context of its own, signed in on the console and ready to use. */
  signedIn(account: { username: string; password: string }): Promise<Page>;
}

/**
 * Registers the hooks of a console test in the calling `describe()`: one Chromium for the
 * file (and the console built), the test app, and the contexts of each test's pages,
 * closed after the test and before the app. Register the file's own hooks after this
 * call: its `afterEach` then runs first, while the pages and the app are still there.
 *
 * @example
 * const ui = useConsole({ env: { OPERATOR_CAPACITY: '1' } });
 * it('…', async () => {
 *   const page = await ui.signedIn(await createConsoleAccount(ui.t));
 * });
 */
export function useConsole(opts: UseConsoleOptions = {}): ConsoleHarness {
  const mode = opts.app ?? 'each';
  const contextOptions = opts.context ?? { viewport: { width: 1400, height: 1000 } };
  let browser: Browser | undefined;
  let t: TestApp | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    browser = await launchChromium();
    if (mode === 'file') t = await startTestApp(opts.env);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  if (mode === 'each') {
    beforeEach(async () => {
      t = await startTestApp(opts.env);
    });
  }
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    if (mode === 'file') return;
    await t?.close();
    t = undefined;
  });

  const harness: ConsoleHarness = {
    get t() {
      if (!t) throw new Error('the app runs only inside a test');
      return t;
    },
    async start(env = {}) {
      if (mode !== 'test') throw new Error("start() is for useConsole({ app: 'test' })");
      t = await startTestApp(env);
      return t;
    },
    async newContext(options = {}) {
      if (!browser) throw new Error('the browser runs only inside a test');
      const context = await browser.newContext({ ...contextOptions, ...options });
      contexts.push(context);
      return context;
    },
    async newPage(options = {}) {
      return (await harness.newContext(options)).newPage();
    },
    async signedIn(account) {
      const page = await harness.newPage();
      await signInConsole(page, harness.t.url, account);
      return page;
    },
  };
  return harness;
}
