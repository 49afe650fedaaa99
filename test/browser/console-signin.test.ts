import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createConsoleAccount, signInConsole } from '../support/browser.ts';
import { useConsole } from './console-harness.ts';

async function createAccount(t: TestApp, role: 'operator' | 'supervisor' = 'operator') {
  const username = `op${Math.random().toString(36).slice(2, 10)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-correct`;
  const account = await t.app.operators.create({ username, password, role, displayName: 'Anna de Vries' });
  return { id: account.id, username, password };
}

async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.locator('[data-sl="login-username"]').fill(username);
  await page.locator('[data-sl="login-password"]').fill(password);
  await page.locator('[data-sl="login-submit"]').click();
}

/** Whatever the page could have left behind on the device, as the page itself sees it. */
function storageLeftBehind(page: Page) {
  return page.evaluate(async () => ({
    localStorage: localStorage.length,
    sessionStorage: sessionStorage.length,
    cookies: document.cookie,
    indexedDB: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
  }));
}

const nothingLeft = { localStorage: 0, sessionStorage: 0, cookies: '', indexedDB: 0, caches: 0 };

describe('console sign-in', () => {
  // One app for the file; each test a fresh context at Playwright's own viewport.
  const ui = useConsole({ app: 'file', context: {} });
  let t: TestApp;
  let page: Page;

  beforeAll(() => {
    t = ui.t;
  });

  beforeEach(async () => {
    page = await ui.newPage();
  });

  it('answers a wrong password and an unknown user with the same single error', async () => {
    const account = await createAccount(t);
    await page.goto(`${t.url}/console/`);

    await submitLogin(page, account.username, 'not-the-password');
    const error = page.locator('[data-sl="login-error"]');
    await error.waitFor();
    const wrongPassword = await error.textContent();
    expect(await error.getAttribute('data-kind')).toBe('invalid');

    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submitLogin(page, `nobody-${account.username}`, 'whatever-password');
    expect((await answered).status()).toBe(401);
    await page.waitForFunction(
      () => (document.querySelector('[data-sl="login-password"]') as HTMLInputElement | null)?.value === '',
    );
    expect(await error.textContent()).toBe(wrongPassword);
    expect(await error.count()).toBe(1);
    // Nothing was written on the device, and the session cookie never became visible to scripts.
    expect(await storageLeftBehind(page)).toEqual(nothingLeft);
  });

  it('shows a wait, not the generic error, once logins are throttled (the sixth failure)', async () => {
    // A fresh app: the throttle counts per username and per address.
    const own = await startTestApp();
    try {
      const account = await createAccount(own);
      await page.goto(`${own.url}/console/`);
      const error = page.locator('[data-sl="login-error"]');
      for (let attempt = 1; attempt <= 5; attempt++) {
        const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
        await submitLogin(page, account.username, `wrong-${attempt}`);
        expect((await answered).status()).toBe(401);
        await page.locator('[data-sl="login-error"][data-kind="invalid"]').waitFor();
      }
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await submitLogin(page, account.username, 'wrong-6');
      const res = await answered;
      expect(res.status()).toBe(429);
      const retryAfter = Number(res.headers()['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);

      await page.locator('[data-sl="login-error"][data-kind="throttled"]').waitFor();
      const text = (await error.textContent()) ?? '';
      const shown = Number(/(\d+)/.exec(text)?.[1]);
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThanOrEqual(retryAfter);
      // While the wait runs, the form cannot be sent again.
      expect(await page.locator('[data-sl="login-submit"]').isDisabled()).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('signs in and out, and goes back to sign-in with a notice when the session is ended elsewhere', async () => {
    const account = await createAccount(t);
    await page.goto(`${t.url}/console/`);
    await submitLogin(page, account.username, account.password);
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);

    await page.locator('[data-sl="logout"]').click();
    await page.locator('[data-sl="session-notice"][data-notice="logged-out"]').waitFor();
    expect((await page.request.get(`${t.url}/api/auth/me`)).status()).toBe(401);

    await submitLogin(page, account.username, account.password);
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    // An idle timeout, a password reset or an administrator: the server ends the session.
    await t.app.operators.revokeSessions(account.id);
    await page.locator('[data-sl="session-notice"][data-notice="expired"]').waitFor();
    await page.locator('[data-sl="login-username"]').waitFor();
    expect(await page.locator('[data-sl="status-toggle"]').count()).toBe(0);
    expect(await storageLeftBehind(page)).toEqual(nothingLeft);
  });

  it('has no accessibility violations on the sign-in screen, in Dutch and in English', async () => {
    await page.goto(`${t.url}/console/`);
    await page.locator('[data-sl="login-username"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('nl');
    await submitLogin(page, 'nobody', 'wrong-password');
    await page.locator('[data-sl="login-error"]').waitFor();
    const dutch = await new AxeBuilder({ page }).analyze();
    expect(dutch.violations.map((v) => v.id)).toEqual([]);

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-sl="login-submit"]').textContent()).toBe('Sign in');
    const english = await new AxeBuilder({ page }).analyze();
    expect(english.violations.map((v) => v.id)).toEqual([]);
  });
});

describe('console sign-in in production', () => {
  const ui = useConsole({ app: 'each', context: {}, env: { NODE_ENV: 'production' } });

  it('the browser keeps the __Host- session cookie, Secure and HttpOnly, and the console works on it across a reload', async () => {
    const account = await createConsoleAccount(ui.t);
    const context = await ui.newContext();
    const page = await context.newPage();
    await signInConsole(page, ui.t.url, account);

    const cookies = await context.cookies();
    expect(
      cookies.map((c) => ({ name: c.name, secure: c.secure, httpOnly: c.httpOnly, path: c.path })),
    ).toEqual([{ name: '__Host-sl_session', secure: true, httpOnly: true, path: '/' }]);
    await page.reload();
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
  });
});
