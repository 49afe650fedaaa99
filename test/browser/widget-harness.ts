import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { OperatorSocket } from '../support/clients.ts';
import {
  ensureWidgetBuilt,
  type HostSite,
  launchChromium,
  signInOperator,
  startHostSite,
} from './widget-support.ts';

export interface WidgetPageOptions {
  /**
   * The app's environment, given the host site: a fresh app for each test, and the host site
   * embeds it. Without it there is no host site, and each test starts its own app with `startApp`.
   */
  env?: (host: HostSite) => Record<string, string>;
  /** An operator signed in to that app before each test (with `available`, ready to be assigned). */
  operator?: Parameters<typeof signInOperator>[1];
  /** For each test's browser context (a viewport, say). */
  context?: BrowserContextOptions;
  /** How Chromium starts (`bfcache` for a file that goes Back). */
  launch?: Parameters<typeof launchChromium>[0];
}

/** What a widget test works with; the getters answer for the test that is running. */
export interface WidgetPage {
  readonly host: HostSite;
  readonly browser: Browser;
  readonly t: TestApp;
  readonly operator: OperatorSocket;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Starts this test's app (closed after it), for a file without `env`. */
  startApp(env?: Record<string, string>): Promise<TestApp>;
}

function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`no ${what} here: see useWidgetPage's options`);
  return value;
}

/**
 * Registers the hooks of a widget test in the calling describe(): the widget built, one
 * Chromium (and host site) for the file; before each test the app, the operator, and a page
 * in a context of its own; after it, all of those closed.
 */
export function useWidgetPage(opts: WidgetPageOptions = {}): WidgetPage {
  let host: HostSite | undefined;
  let browser: Browser | undefined;
  let t: TestApp | undefined;
  let operator: OperatorSocket | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    ensureWidgetBuilt();
    if (opts.env) host = await startHostSite();
    browser = await launchChromium(opts.launch);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });
  beforeEach(async () => {
    if (opts.env && host) {
      t = await startTestApp(opts.env(host));
      host.setHelpline(t.url);
      if (opts.operator) operator = await signInOperator(t, opts.operator);
    }
    context = await present(browser, 'browser').newContext(opts.context);
    page = await context.newPage();
  });
  afterEach(async () => {
    operator?.disconnect();
    await context?.close();
    await t?.close();
    t = undefined;
    operator = undefined;
    context = undefined;
    page = undefined;
  });

  return {
    get host() {
      return present(host, 'host site');
    },
    get browser() {
      return present(browser, 'browser');
    },
    get t() {
      return present(t, 'app');
    },
    get operator() {
      return present(operator, 'operator');
    },
    get context() {
      return present(context, 'browser context');
    },
    get page() {
      return present(page, 'page');
    },
    async startApp(env = {}) {
      if (t) throw new Error('this test’s app is already running');
      t = await startTestApp(env);
      return t;
    },
  };
}
