import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount, signInConsole } from '../support/browser.ts';
import { login } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

describe('console: a change of role reaches an open console at once', () => {
  const ui = useConsole();
  let t: TestApp;
  beforeEach(() => {
    t = ui.t;
  });
  const newPage = () => ui.newPage();

  it('a demoted supervisor loses the supervisor view without signing in again; promoted, she signs in again to get it back', async () => {
    const admin = await createConsoleAccount(t, { role: 'admin', displayName: 'Ada Admin' });
    const adminCookie = await login(t.url, admin.username, admin.password);
    const sara = await createConsoleAccount(t, { role: 'supervisor', displayName: 'Sara Smit' });
    const page = await newPage();
    await signInConsole(page, t.url, sara);
    await page.locator('[data-sl="view-supervisor"]').click();
    await page.locator('[data-sl="stats"]').waitFor();

    const setRole = async (role: string) => {
      const res = await fetch(`${t.url}/api/admin/operators/${sara.id}`, {
        method: 'PATCH',
        headers: { cookie: adminCookie, 'content-type': 'application/json', origin: t.config.publicOrigin },
        body: JSON.stringify({ role }),
      });
      expect(res.status).toBe(200);
    };

    await setRole('operator');
    const notice = page.locator('[data-sl="account-notice"][data-role="operator"]');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('operator');
    // The supervisor view and its figures are gone; she is still signed in and connected.
    expect(await page.locator('[data-sl="view-supervisor"]').count()).toBe(0);
    expect(await page.locator('[data-sl="stats"]').count()).toBe(0);
    await page.locator('main.view-workspace').waitFor();
    await page.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
    expect(await page.locator('.who').textContent()).toContain('operator');
    expect(await axeViolations(page)).toEqual([]);

    // A raised role ends the session: the console goes to sign-in, as for an ended session.
    await setRole('supervisor');
    await page.locator('[data-sl="session-notice"][data-notice="expired"]').waitFor();
    await page.locator('[data-sl="login-username"]').waitFor();
    expect(await page.locator('[data-sl="status-toggle"]').count()).toBe(0);
    expect((await page.request.get(`${t.url}/api/auth/me`)).status()).toBe(401);
    await signInConsole(page, t.url, sara);
    await page.locator('[data-sl="view-supervisor"]').click();
    await page.locator('[data-sl="stats"]').waitFor();
  }, 90_000);
});
