import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, signInConsole } from '../support/browser.ts';
import { login } from '../support/clients.ts';
import { useConsole } from './console-harness.ts';

/** True when the element's centre is itself (or inside it) on screen: nothing covers it. */
function uncovered(page: Page, hook: string): Promise<boolean> {
  return page.evaluate((sl) => {
    const el = document.querySelector(`[data-sl="${sl}"]`);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return top !== null && (top === el || el.contains(top));
  }, hook);
}

describe('console: a personal password after a one-time one', () => {
  const ui = useConsole({ app: 'file' });
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(() => {
    t = ui.t;
  });

  beforeEach(async () => {
    context = await ui.newContext();
    page = await context.newPage();
  });

  async function account(oneTime: boolean) {
    const username = `op${randomUUID().slice(0, 8)}`;
    const password = `one-time-${randomUUID().slice(0, 8)}`;
    const created = await t.app.operators.create({ username, password, displayName: 'Anna', oneTime });
    return { id: created.id, username, password };
  }

  const loginBody = (username: string, password: string) =>
    fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  it('prompts after a one-time sign-in without covering the workspace; the prompt can wait', async () => {
    const anna = await account(true);
    await signInConsole(page, t.url, anna);
    const prompt = page.locator('[data-sl="password-prompt"]');
    await prompt.waitFor();
    // A named region, in Dutch first.
    expect(await page.getByRole('region', { name: 'Kies een eigen wachtwoord' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('nl');
    expect(await prompt.textContent()).toContain('eenmalig wachtwoord');
    // The workspace stays usable: every control is on top, none is under the prompt.
    for (const hook of ['status-toggle', 'logout', 'handover-open', 'password-change-open']) {
      expect(await uncovered(page, hook), hook).toBe(true);
    }
    await page.locator('[data-sl="status-toggle"]').click();
    await page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('[data-sl="password-prompt-dismiss"]').click();
    await prompt.waitFor({ state: 'detached' });
    expect(await page.locator('[data-sl="password-current"]').count()).toBe(0);
  });

  it('changes the password from the prompt: field errors, a wrong current one, then success', async () => {
    const anna = await account(true);
    const elsewhere = await login(t.url, anna.username, anna.password);
    await signInConsole(page, t.url, anna);
    await page.locator('[data-sl="password-prompt-open"]').click();
    const current = page.locator('[data-sl="password-current"]');
    const next = page.locator('[data-sl="password-new"]');
    const repeat = page.locator('[data-sl="password-repeat"]');
    await current.waitFor();
    // Focus moves in an effect after the form renders: poll for it, do not read it once.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-sl'));
    await expect.poll(focused).toBe('password-current');

    // The rules, checked before anything is sent.
    let posts = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/auth/password')) posts++;
    });
    await current.fill(anna.password);
    await next.fill('te-kort');
    await repeat.fill('te-kort');
    await page.locator('[data-sl="password-submit"]').click();
    await page.locator('[data-sl="field-error"][data-field="newPassword"]').waitFor();
    expect(await next.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(focused).toBe('password-new');
    const chosen = 'mijn eigen lange wachtzin';
    await next.fill(chosen);
    await repeat.fill(`${chosen}!`);
    await page.locator('[data-sl="password-submit"]').click();
    await page.locator('[data-sl="field-error"][data-field="repeat"]').waitFor();
    expect(await page.locator('[data-sl="field-error"][data-field="newPassword"]').count()).toBe(0);
    expect(posts).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // A wrong current password: refused by the server, the session stays.
    await current.fill('not-my-password');
    await repeat.fill(chosen);
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/auth/password'));
    await page.locator('[data-sl="password-submit"]').click();
    expect((await refused).status()).toBe(401);
    await page.locator('[data-sl="field-error"][data-field="currentPassword"]').waitFor();
    expect(await page.locator('[data-sl="field-error"][data-field="newPassword"]').count()).toBe(0);
    expect(await page.locator('[data-sl="session-notice"]').count()).toBe(0);

    const sessionCookie = async () => (await context.cookies()).find((c) => c.name === 'sl_session')?.value;
    const before = await sessionCookie();
    await current.fill(anna.password);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/password'));
    await page.locator('[data-sl="password-submit"]').click();
    expect((await answered).status()).toBe(200);
    await page.locator('[data-sl="password-changed"]').waitFor();
    await page.locator('[data-sl="password-prompt"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-sl="password-current"]').count()).toBe(0);
    // The session was renewed: its old cookie is refused, and this console goes on with the
    // new one, its socket too (a status change is acknowledged), without signing in again.
    const after = await sessionCookie();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const old = await fetch(`${t.url}/api/auth/me`, { headers: { cookie: `sl_session=${before}` } });
    expect(old.status).toBe(401);
    await page.locator('[data-sl="status-toggle"]:not([disabled])').click();
    await page.locator('[data-sl="status-toggle"][data-status="available"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
    // The other session has ended; only the new password works.
    expect((await fetch(`${t.url}/api/auth/me`, { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await loginBody(anna.username, anna.password)).status).toBe(401);
    const fresh = await loginBody(anna.username, chosen);
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { operator: object }).operator).not.toHaveProperty('passwordChangeDue');

    // After a reload the console knows the change is no longer due.
    await page.reload();
    await page.locator('[data-sl="password-change-open"][data-due="false"]').waitFor();
    expect(await page.locator('[data-sl="password-prompt"]').count()).toBe(0);
  });

  it('a second tab of the same browser goes on with the renewed session, not signed out', async () => {
    const cas = await account(false);
    await signInConsole(page, t.url, cas);
    // The same browser: the second tab shares the cookie, so the session.
    const other = await context.newPage();
    await other.goto(`${t.url}/console/`);
    await other.locator('[data-sl="status-toggle"]:not([disabled])').waitFor();
    const chosen = 'een andere lange wachtzin';
    await page.locator('[data-sl="password-change-open"]').click();
    await page.locator('[data-sl="password-current"]').fill(cas.password);
    await page.locator('[data-sl="password-new"]').fill(chosen);
    await page.locator('[data-sl="password-repeat"]').fill(chosen);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/password'));
    await page.locator('[data-sl="password-submit"]').click();
    expect((await answered).status()).toBe(200);
    await page.locator('[data-sl="password-changed"]').waitFor();
    // The old session's end reached the second tab too; it reconnects on the new cookie
    // (a status change over its socket is acknowledged) instead of signing out.
    await other.locator('[data-sl="status-toggle"]:not([disabled])').click();
    await other.locator('[data-sl="status-toggle"][data-status="available"]').waitFor({ timeout: 10_000 });
    // Past the console's second look at a refused cookie (1 s): still signed in.
    await other.waitForTimeout(2500);
    expect(await other.locator('[data-sl="login-username"]').count()).toBe(0);
    expect(await other.locator('[data-sl="session-notice"]').count()).toBe(0);
  });

  it('shows no prompt for a password its owner chose, and offers the change in the header', async () => {
    const bob = await account(false);
    await signInConsole(page, t.url, bob);
    await page.locator('[data-sl="password-change-open"][data-due="false"]').waitFor();
    expect(await page.locator('[data-sl="password-prompt"]').count()).toBe(0);
    await page.locator('[data-sl="password-change-open"]').click();
    await page.locator('[data-sl="password-current"]').waitFor();
    await page.locator('[data-sl="password-cancel"]').click();
    await page.locator('[data-sl="password-current"]').waitFor({ state: 'detached' });
  });
});
