import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount } from '../support/browser.ts';
import { useConsole } from './console-harness.ts';

/**
 * "Uitloggen" at a shared desk: the session cookie is HttpOnly, so only the server's answer
 * can say the session is over. A console that claims it while the server never heard it
 * leaves the next person a reload away from the previous operator's conversations.
 */
describe('console: a sign-out that did not reach the server', () => {
  const ui = useConsole({ app: 'file' });
  let t: TestApp;
  let page: Page;

  beforeEach(async () => {
    t = ui.t;
    page = await ui.signedIn(await createConsoleAccount(t));
  });

  async function sessionAlive(): Promise<boolean> {
    return (await page.request.get(`${t.url}/api/auth/me`)).status() === 200;
  }

  /** Whatever the console says after the click: the alert, or the sign-in screen's notice. */
  async function outcome(): Promise<string | null> {
    const said = page.locator('[data-sl="logout-failed"], [data-sl="session-notice"]').first();
    await said.waitFor();
    return said.textContent();
  }

  async function expectNotClaimed(): Promise<void> {
    expect(await outcome()).toContain('Uitloggen is niet gelukt');
    const alert = page.locator('[data-sl="logout-failed"]');
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toContain('Uitloggen is niet gelukt');
    expect(await page.locator('[data-sl="session-notice"]').count()).toBe(0);
    expect(await page.locator('[data-sl="login-username"]').count()).toBe(0);
    // The button stays, to try again.
    expect(await page.locator('[data-sl="logout"]').isEnabled()).toBe(true);
    expect(await sessionAlive()).toBe(true);
  }

  it('says so when the server answers 5xx, and signs out on the next try', async () => {
    await page.route('**/api/auth/logout', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"error":{"code":"unavailable"}}',
      }),
    );
    await page.locator('[data-sl="logout"]').click();
    await expectNotClaimed();
    expect(await axeViolations(page)).toEqual([]);

    await page.unroute('**/api/auth/logout');
    await page.locator('[data-sl="logout"]').click();
    await page.locator('[data-sl="session-notice"][data-notice="logged-out"]').waitFor();
    expect(await sessionAlive()).toBe(false);
  });

  it('says so when the request never arrives (network error), in Dutch and in English', async () => {
    await page.route('**/api/auth/logout', (route) => route.abort('failed'));
    await page.locator('[data-sl="logout"]').click();
    await expectNotClaimed();

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-sl="logout-failed"]').textContent()).toContain(
      'Signing out did not work',
    );
  });

  it('says so when the browser is offline', async () => {
    await page.context().setOffline(true);
    await page.locator('[data-sl="logout"]').click();
    expect(await outcome()).toContain('Uitloggen is niet gelukt');
    expect(await page.locator('[data-sl="session-notice"]').count()).toBe(0);
    await page.context().setOffline(false);
    expect(await sessionAlive()).toBe(true);
  });
});
