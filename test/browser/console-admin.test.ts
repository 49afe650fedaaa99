import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, signInConsole } from '../support/browser.ts';
import { useConsole } from './console-harness.ts';

describe('console: administration of operator accounts', () => {
  const ui = useConsole();
  let t: TestApp;
  beforeEach(() => {
    t = ui.t;
  });
  const newPage = () => ui.newPage();
  const signIn = (page: Page, username: string, password: string) =>
    signInConsole(page, t.url, { username, password });

  const loginStatus = (username: string, password: string) =>
    fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    }).then((r) => r.status);

  it('adds an operator who signs in with the one-time password; disabling cuts their session', async () => {
    const adminName = `admin${randomUUID().slice(0, 6)}`;
    const adminPassword = `pw-${randomUUID()}`;
    const admin = await t.app.operators.create({
      username: adminName,
      password: adminPassword,
      role: 'admin',
      displayName: 'Ada Admin',
    });
    const page = await newPage();
    await signIn(page, adminName, adminPassword);
    await page.locator('[data-sl="view-admin"]').click();
    const adminRow = page.locator(`[data-sl="account-row"][data-operator-id="${admin.id}"]`);
    await adminRow.waitFor();
    // An administrator cannot lock themself out here.
    expect(await adminRow.locator('[data-sl="account-disable"]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // The CLI's rules, checked before anything is sent.
    await page.locator('[data-sl="account-add"]').click();
    await page.locator('[data-sl="account-username"]').fill('noor bakker');
    await page.locator('[data-sl="account-display-name"]').fill('Noor Bakker');
    await page.locator('[data-sl="account-language"][data-language="nl"]').uncheck();
    await page.locator('[data-sl="account-language"][data-language="en"]').uncheck();
    await page.locator('[data-sl="account-save"]').click();
    await page.locator('[data-sl="field-error"][data-field="username"]').waitFor();
    await page.locator('[data-sl="field-error"][data-field="languages"]').waitFor();
    expect(await page.locator('[data-sl="account-username"]').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    const username = `noor${randomUUID().slice(0, 6)}`;
    await page.locator('[data-sl="account-username"]').fill(username);
    await page.locator('[data-sl="account-language"][data-language="nl"]').check();
    await page.locator('[data-sl="account-role"]').selectOption('operator');
    await page.locator('[data-sl="account-save"]').click();

    // The one-time password, shown once, with a clear notice and nothing to copy it with.
    const shown = page.locator('[data-sl="one-time-password"]');
    await shown.waitFor();
    const password = (await shown.textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    await page.locator('[data-sl="one-time-notice"]').waitFor();
    expect(await page.locator('[data-sl="one-time"] button').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    const row = page.locator(`[data-sl="account-row"][data-username="${username}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-role')).toBe('operator');
    const stored = await t.app.operators.getByUsername(username);
    expect(stored).toMatchObject({
      displayName: 'Noor Bakker',
      role: 'operator',
      languages: ['nl'],
      disabled: false,
    });

    // The new colleague signs in with it.
    const colleague = await newPage();
    await signIn(colleague, username, password);
    expect(await colleague.locator('[data-sl="view-supervisor"]').count()).toBe(0);

    // Hidden once passed on: it cannot be shown again.
    await page.locator('[data-sl="one-time-done"]').click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.getByText(password).count()).toBe(0);

    // Disabling asks first, then cuts the colleague's live session at once.
    await row.locator('[data-sl="account-disable"]').click();
    await row.locator('[data-sl="account-confirm"]').click();
    await page
      .locator(`[data-sl="account-row"][data-username="${username}"][data-disabled="true"]`)
      .waitFor();
    await colleague.locator('[data-sl="session-notice"][data-notice="expired"]').waitFor();
    expect(await colleague.locator('[data-sl="status-toggle"]').count()).toBe(0);
    expect(await loginStatus(username, password)).toBe(401);

    // Enabled again; a reset password gives a new one-time password and retires the old one.
    await row.locator('[data-sl="account-enable"]').click();
    await page
      .locator(`[data-sl="account-row"][data-username="${username}"][data-disabled="false"]`)
      .waitFor();
    await row.locator('[data-sl="account-reset"]').click();
    await row.locator('[data-sl="account-confirm"]').click();
    await shown.waitFor();
    const fresh = (await shown.textContent()) ?? '';
    expect(fresh).not.toBe(password);
    expect(await loginStatus(username, password)).toBe(401);
    expect(await loginStatus(username, fresh)).toBe(200);
    await page.locator('[data-sl="one-time-done"]').click();

    // Role and languages change.
    await row.locator('[data-sl="account-edit"]').click();
    const edit = page.locator('[data-sl="account-edit-form"]');
    await edit.locator('[data-sl="account-role"]').selectOption('supervisor');
    await edit.locator('[data-sl="account-language"][data-language="en"]').check();
    expect(await axeViolations(page)).toEqual([]);
    await edit.locator('[data-sl="account-save"]').click();
    await page
      .locator(`[data-sl="account-row"][data-username="${username}"][data-role="supervisor"]`)
      .waitFor();
    expect(await t.app.operators.getByUsername(username)).toMatchObject({
      role: 'supervisor',
      languages: ['nl', 'en'],
    });
  }, 120_000);

  it('refuses a username that is taken, in any case', async () => {
    const adminName = `admin${randomUUID().slice(0, 6)}`;
    const adminPassword = `pw-${randomUUID()}`;
    await t.app.operators.create({
      username: adminName,
      password: adminPassword,
      role: 'admin',
      displayName: 'Ada',
    });
    const taken = `bram${randomUUID().slice(0, 6)}`;
    await t.app.operators.create({ username: taken, password: `pw-${randomUUID()}`, displayName: 'Bram' });
    const page = await newPage();
    await signIn(page, adminName, adminPassword);
    await page.locator('[data-sl="view-admin"]').click();
    await page.locator('[data-sl="account-add"]').click();
    await page.locator('[data-sl="account-username"]').fill(taken.toUpperCase());
    await page.locator('[data-sl="account-display-name"]').fill('Tweede Bram');
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/operators') && r.request().method() === 'POST',
    );
    await page.locator('[data-sl="account-save"]').click();
    expect((await answered).status()).toBe(409);
    await page.locator('[data-sl="account-error"]').waitFor();
    expect(await page.locator('[data-sl="one-time-password"]').count()).toBe(0);
    expect((await t.app.operators.list()).filter((a) => a.displayName === 'Tweede Bram')).toEqual([]);
  });
});
