import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, signInConsole, useConsoleWithLines } from '../support/browser.ts';

const LINES = [
  { id: 'noord', name: 'Noord', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'zuid', name: 'Zuid', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
  { id: 'nacht', name: 'Nachtlijn', languages: ['nl', 'en'], hours: '24/7', embedOrigins: [] },
];

/** A test that runs axe, which takes long on a loaded machine. */
const AXE_TEST_MS = 90_000;

describe('console: an admin sets an account’s lines', () => {
  const lined = useConsoleWithLines(LINES);
  const newPage = () => lined.newPage();

  /** The JSON bodies the console sends to the admin routes, as the server receives them. */
  function sentBodies(page: Page): { method: string; body: Record<string, unknown> }[] {
    const out: { method: string; body: Record<string, unknown> }[] = [];
    page.on('request', (r) => {
      if (!r.url().includes('/api/admin/operators') || r.method() === 'GET') return;
      out.push({ method: r.method(), body: r.postDataJSON() as Record<string, unknown> });
    });
    return out;
  }

  /** An admin on the account editor of a supervisor without lines. */
  async function openEditor() {
    const password = `pw-${randomUUID()}`;
    const adminName = `admin${randomUUID().slice(0, 6)}`;
    await lined.t.app.operators.create({
      username: adminName,
      password,
      role: 'admin',
      displayName: 'Ada Admin',
    });
    const sanne = await lined.t.app.operators.create({
      username: `sanne${randomUUID().slice(0, 6)}`,
      password: `pw-${randomUUID()}`,
      role: 'supervisor',
      displayName: 'Sanne Smit',
    });
    const page = await newPage();
    const sent = sentBodies(page);
    await signInConsole(page, lined.t.url, { username: adminName, password });
    await page.locator('[data-sl="view-admin"]').click();
    const row = page.locator(`[data-sl="account-row"][data-operator-id="${sanne.id}"]`);
    await row.locator('[data-sl="account-edit"]').click();
    const form = page.locator('[data-sl="account-edit-form"]');
    const box = (line: string) => form.locator(`[data-sl="account-line"][data-line="${line}"]`);
    await box('noord').waitFor();
    return { page, sent, row, form, box };
  }

  it(
    'offers the deployment’s lines and "all lines", refuses none before sending, and passes axe',
    async () => {
      const { page, sent, form, box } = await openEditor();
      // An account without lines belongs to the first line.
      expect(await box('noord').isChecked()).toBe(true);
      expect(await box('zuid').isChecked()).toBe(false);
      expect(await box('*').isChecked()).toBe(false);
      expect(await form.locator('[data-sl="account-line"]').count()).toBe(4);
      expect(await axeViolations(page)).toEqual([]);

      await box('noord').uncheck();
      await form.locator('[data-sl="account-save"]').click();
      await form.locator('[data-sl="field-error"][data-field="lines"]').waitFor();
      expect(sent).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
    },
    AXE_TEST_MS,
  );

  it('sends the chosen lines in file order, and "all lines" alone', async () => {
    const { page, sent, row, form, box } = await openEditor();
    await box('noord').uncheck();
    await box('nacht').check();
    await box('zuid').check();
    await form.locator('[data-sl="account-save"]').click();
    await expect.poll(() => sent.length, { timeout: 15_000 }).toBe(1);
    expect(sent[0]).toEqual({ method: 'PATCH', body: { lines: ['zuid', 'nacht'] } });

    await page.locator('[data-sl="admin-status"] p').waitFor();
    await row.locator('[data-sl="account-edit"]').click();
    await box('*').waitFor();
    await box('*').check();
    expect(await box('zuid').isDisabled()).toBe(true);
    await form.locator('[data-sl="account-save"]').click();
    await expect.poll(() => sent.length, { timeout: 15_000 }).toBe(2);
    expect(sent[1]).toEqual({ method: 'PATCH', body: { lines: ['*'] } });
  });

  it('sends the lines of a new account', async () => {
    const password = `pw-${randomUUID()}`;
    const adminName = `admin${randomUUID().slice(0, 6)}`;
    await lined.t.app.operators.create({
      username: adminName,
      password,
      role: 'admin',
      displayName: 'Ada Admin',
    });
    const page = await newPage();
    const sent = sentBodies(page);
    await signInConsole(page, lined.t.url, { username: adminName, password });
    await page.locator('[data-sl="view-admin"]').click();
    await page.locator('[data-sl="account-add"]').click();
    const form = page.locator('[data-sl="account-add-form"]');
    await form.locator('[data-sl="account-username"]').fill(`noor${randomUUID().slice(0, 6)}`);
    await form.locator('[data-sl="account-display-name"]').fill('Noor Bakker');
    await form.locator('[data-sl="account-line"][data-line="zuid"]').check();
    await form.locator('[data-sl="account-save"]').click();
    await expect.poll(() => sent.length, { timeout: 15_000 }).toBe(1);
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.body.lines).toEqual(['noord', 'zuid']);
    await page.locator('[data-sl="one-time-password"]').waitFor();
  });
});
