import { randomUUID } from 'node:crypto';
import type { Message, OperatorRole, StartAck, VisitorStart } from '@stille-lijn/shared';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { axeViolations, createConsoleAccount } from '../support/browser.ts';
import { connectVisitor, emitAck, nextEvent, type VisitorSocket, waitFor } from '../support/clients.ts';
import { type FakeRegion, startFakeVR09 } from '../support/fake-region.ts';
import { auditEntries } from '../support/per-test.ts';
import { useConsole } from './console-harness.ts';

type Ok<T> = { ok: true } & T;

describe('console: report to Veilig Thuis', () => {
  let t: TestApp;
  let region: FakeRegion;
  const visitors: VisitorSocket[] = [];

  const ui = useConsole({ app: 'test', context: { viewport: { width: 1500, height: 1000 } } });

  afterEach(() => {
    for (const v of visitors.splice(0)) v.disconnect();
  });

  /** An app whose only region, Utrecht (VR09), is a fake region endpoint. */
  async function start(env: Record<string, string> = {}): Promise<void> {
    const vr09 = await startFakeVR09();
    region = vr09.region;
    // After every afterEach, the console's too: the region outlives the app.
    onTestFinished(() => vr09.close());
    t = await ui.start({ VT_REGIONS_FILE: vr09.regionsFile, REPORT_BACKOFF_MS: '20', ...env });
  }

  async function signIn(role: OperatorRole, displayName: string) {
    const account = await createConsoleAccount(t, { role, displayName });
    return { page: await ui.signedIn(account), id: account.id };
  }

  /** A visitor the operator on `page` has accepted. */
  async function chat(page: Page, startPayload: VisitorStart) {
    const socket = await connectVisitor(t.url);
    visitors.push(socket);
    const ack = await emitAck<Ok<StartAck>>(socket, 'chat:start', startPayload);
    const id = ack.conversationId;
    await page.locator(`[data-sl="queue-item"][data-conversation-id="${id}"] [data-sl="accept"]`).click();
    await page.locator(`[data-sl="conversation-tab"][data-conversation-id="${id}"]`).waitFor();
    return { socket, id };
  }

  it('asks consent in the chat, checks the form, and shows the report delivered', async () => {
    await start();
    const { page, id: operatorId } = await signIn('operator', 'Anna de Vries');
    const visitor = await chat(page, {
      role: 'victim',
      language: 'nl',
      text: 'Hij slaat me als hij gedronken heeft',
    });
    const id = visitor.id;
    // What the form takes from the conversation: a tag and the risk checklist.
    await page.locator('[data-sl="tag"][data-tag="physical"]').check();
    // The checklist filled in, each kind of answer chosen, the pointer still on the last
    // chosen "yes" (a hovered chosen answer once lost its contrast).
    const items = page.locator('[data-sl="checklist-item"]');
    await items.nth(1).locator('[data-sl="answer-no"]').click();
    await items.nth(2).locator('[data-sl="answer-unknown"]').click();
    await page
      .locator('[data-sl="checklist-item"][data-item-id="strangulation"] [data-sl="answer-yes"]')
      .click();
    await page.locator('.is-yes [data-sl="answer-yes"][aria-pressed="true"]').hover();
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('[data-sl="report-open"]').click();
    const panel = page.locator(`[data-sl="report-panel"][data-conversation-id="${id}"]`);
    await panel.waitFor();
    expect(await panel.locator('[data-sl="report-reporter-role"]').inputValue()).toBe('victim');
    expect(await panel.locator('[data-sl="report-kind"][data-kind="physical"]').isChecked()).toBe(true);
    expect(await panel.locator('[data-sl="report-include-risk"]').isChecked()).toBe(true);
    // No names or contact details before the visitor agrees.
    expect(await panel.locator('[data-sl="report-reporter-name"]').count()).toBe(0);
    await panel.locator('[data-sl="report-identifying-locked"]').waitFor();
    // Only configured regions can be chosen.
    expect(await panel.locator('[data-sl="report-region"] option[value="VR01"]').isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // Sent empty: the shared schema's and consent rules' errors, inline and summed up.
    await panel.locator('[data-sl="report-submit"]').click();
    const errors = panel.locator('[data-sl="report-errors"]');
    await errors.locator('a').first().waitFor();
    const failing = await panel
      .locator('[data-sl="field-error"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-field')));
    expect(failing.sort()).toEqual([
      'consent.status',
      'contact.method',
      'region',
      'summary',
      'violence.danger',
    ]);
    expect(await panel.locator('[data-sl="report-summary"]').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    // The ready consent question, in the visitor's language, goes into the message field to be sent.
    await panel.locator('[data-sl="report-consent-insert"]').click();
    const composer = page.locator('[data-sl="composer"]');
    expect(await composer.inputValue()).toContain('Wil je dat ik een melding doe bij Veilig Thuis?');
    const asked = nextEvent<Message>(visitor.socket, 'chat:message', { where: (m) => m.from === 'operator' });
    await page.locator('[data-sl="send"]').click();
    expect((await asked).text).toContain(
      'Je naam en contactgegevens geef ik alleen door als jij dat goed vindt.',
    );
    await emitAck(visitor.socket, 'chat:message', {
      clientMessageId: randomUUID(),
      text: 'Ja, dat is goed. Ik heet Sara.',
    });
    await page.locator('[data-sl="message"][data-from="visitor"]', { hasText: 'Ik heet Sara' }).waitFor();

    // The visitor agrees: now names may be filled in.
    await panel.locator('[data-sl="report-consent-agreed"]').check();
    await panel.locator('[data-sl="report-reporter-name"]').fill('Sara Geheimnaam');
    await panel.locator('[data-sl="report-reporter-phone"]').fill('+31 6 12345678');
    await panel.locator('[data-sl="report-people-victim-age"]').fill('34');
    await panel.locator('[data-sl="report-child-add"]').click();
    await panel.locator('[data-sl="report-people-children-age"]').fill('zeven');
    await panel.locator('[data-sl="report-danger-structural"]').check();
    await panel.locator('[data-sl="report-contact-phone"]').check();
    await panel.locator('[data-sl="report-contact-safeTimes"]').fill('werkdagen 9-12');
    await panel.locator('[data-sl="report-region"]').selectOption('VR09');
    await panel
      .locator('[data-sl="report-summary"]')
      .fill('Partner mishandelt slachtoffer, vooral na drankgebruik.');
    await panel.locator('[data-sl="report-sensitive"]').fill('Zus weet van niets; niet via haar.');
    const excerpts = panel.locator('[data-sl="report-excerpt"]');
    const firstVisitorMessage = panel
      .locator('.excerpt', { hasText: 'gedronken' })
      .locator('[data-sl="report-excerpt"]');
    await firstVisitorMessage.check();
    await panel
      .locator('.excerpt', { hasText: 'Ik heet Sara' })
      .locator('[data-sl="report-excerpt"]')
      .check();
    expect(await excerpts.count()).toBe(3);

    // A child's age in words is caught by the schema, at that field.
    await panel.locator('[data-sl="report-submit"]').click();
    await panel.locator('[data-sl="field-error"][data-field="people.children.0.age"]').waitFor();
    expect(await panel.locator('[data-sl="field-error"]').count()).toBe(1);
    await panel.locator('[data-sl="report-people-children-age"]').fill('7');

    // The server's 400 names fields too; they are shown the same way (here a quote it would not take).
    await page.route('**/reports', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'invalid_payload', message: 'x' },
          fields: ['excerpts.1.messageId'],
        }),
      }),
    );
    await panel.locator('[data-sl="report-submit"]').click();
    await panel.locator('[data-sl="field-error"][data-field="excerpts"]').waitFor();
    await page.unroute('**/reports');

    const created = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${id}/reports`));
    await panel.locator('[data-sl="report-submit"]').click();
    const res = await created;
    expect(res.status()).toBe(201);
    const { reportId } = (await res.json()) as { reportId: string };

    // The status follows live, from queued to delivered.
    const status = panel.locator(`[data-sl="report-status"][data-report-id="${reportId}"]`);
    await status.waitFor();
    await panel
      .locator(`[data-sl="report-status"][data-report-id="${reportId}"][data-status="delivered"]`)
      .waitFor();
    await page.locator('[data-sl="announcer"] [data-kind="report"]').waitFor();
    expect(await panel.locator('[data-sl="report-form"]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // What Veilig Thuis opened: consent, the details, the chosen excerpts verbatim, the sensitive part apart.
    await waitFor(() => region.inbox.received.has(reportId));
    const content = region.inbox.received.get(reportId)?.content;
    expect(content).toMatchObject({
      conversationId: id,
      helpline: { operatorId, operatorName: 'Anna de Vries' },
      report: {
        region: 'VR09',
        acuteDanger: false,
        consent: { status: 'agreed' },
        reporter: { role: 'victim', name: 'Sara Geheimnaam', phone: '+31 6 12345678' },
        people: { victim: { age: 34 }, children: [{ age: 7 }] },
        violence: { kinds: ['physical'], danger: 'structural' },
        risk: { level: 'high', redFlags: ['strangulation'] },
        contact: { method: 'phone', safeTimes: 'werkdagen 9-12' },
        sensitive: 'Zus weet van niets; niet via haar.',
      },
    });
    expect(content?.report.excerpts.map((e) => [e.from, e.text])).toEqual([
      ['visitor', 'Hij slaat me als hij gedronken heeft'],
      ['visitor', 'Ja, dat is goed. Ik heet Sara.'],
    ]);
    expect(await auditEntries(t)).toContainEqual(
      expect.objectContaining({ action: 'report-submit', conversation: id }),
    );
  }, 120_000);

  it('in acute danger allows names without consent and shows the 112 script; a failed delivery is retried by a supervisor', async () => {
    await start({ REPORT_MAX_ATTEMPTS: '2' });
    const supervisor = await signIn('supervisor', 'Sanne Smit');
    await supervisor.page.locator('[data-sl="view-supervisor"]').click();
    const { page } = await signIn('operator', 'Anna de Vries');
    const visitor = await chat(page, {
      role: 'victim',
      language: 'en',
      urgent: true,
      text: 'He has a knife',
    });
    const id = visitor.id;

    await page.locator('[data-sl="acute-danger"]').click();
    await page.locator('[data-sl="acute-location"]').fill('Utrecht, Oudegracht');
    await page.locator('[data-sl="acute-consent-yes"]').check();
    await page.locator('[data-sl="acute-save"]').click();
    await page.locator('.acute [data-sl="sync-status"][data-sync="saved"]').waitFor();

    await page.locator('[data-sl="report-open"]').click();
    const panel = page.locator(`[data-sl="report-panel"][data-conversation-id="${id}"]`);
    const acute = panel.locator('[data-sl="report-acute"]');
    await acute.waitFor();
    await acute.locator('[data-sl="report-112-script"] li').first().waitFor();
    expect(await acute.textContent()).toContain('Utrecht, Oudegracht');
    // The consent question is offered in English, the visitor's language.
    expect(await panel.locator('[data-sl="report-consent-message"]').textContent()).toContain(
      'Would you like me to make a report to Veilig Thuis',
    );
    expect(await panel.locator('[data-sl="report-danger-acute"]').isChecked()).toBe(true);
    // Not asked, for acute danger: names are allowed, and the reason is the one recorded.
    await panel.locator('[data-sl="report-consent-not-asked"]').check();
    expect(await panel.locator('[data-sl="report-consent-reason"]').inputValue()).toBe('acute-danger');
    await panel.locator('[data-sl="report-people-victim-name"]').fill('Sara Geheimnaam');
    await panel.locator('[data-sl="report-people-victim-address"]').fill('Oudegracht 1, Utrecht');
    await panel.locator('[data-sl="report-contact-none"]').check();
    await panel.locator('[data-sl="report-region"]').selectOption('VR09');
    await panel.locator('[data-sl="report-summary"]').fill('Acuut: partner met mes. 112 gebeld op verzoek.');
    expect(await axeViolations(page)).toEqual([]);

    // The region is down: both attempts fail, the report is failed, and supervisors are alerted.
    region.failNext(2, 503);
    const created = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${id}/reports`));
    await panel.locator('[data-sl="report-submit"]').click();
    const { reportId } = (await (await created).json()) as { reportId: string };
    await panel
      .locator(`[data-sl="report-status"][data-report-id="${reportId}"][data-status="failed"]`)
      .waitFor();
    const sup = supervisor.page;
    await sup.locator('[data-sl="alert-bar"] [data-sl="alert"][data-kind="report-failed"]').waitFor();
    const row = sup.locator(`[data-sl="report-row"][data-report-id="${reportId}"]`);
    await sup.locator(`[data-sl="report-row"][data-report-id="${reportId}"][data-status="failed"]`).waitFor();
    expect(await row.locator('[data-sl="report-status"]').getAttribute('data-attempts')).toBe('2');
    expect(await axeViolations(sup)).toEqual([]);

    // The supervisor sends it again; both consoles see it delivered.
    await row.locator('[data-sl="report-retry"]').click();
    await sup
      .locator(`[data-sl="report-row"][data-report-id="${reportId}"][data-status="delivered"]`)
      .waitFor();
    await panel
      .locator(`[data-sl="report-status"][data-report-id="${reportId}"][data-status="delivered"]`)
      .waitFor();

    await waitFor(() => region.inbox.received.has(reportId));
    expect(region.inbox.received.get(reportId)?.content.report).toMatchObject({
      acuteDanger: true,
      consent: { status: 'not-asked', reason: 'acute-danger' },
      people: { victim: { name: 'Sara Geheimnaam', address: 'Oudegracht 1, Utrecht' } },
      violence: { danger: 'acute' },
    });
    const log = await auditEntries(t);
    expect(log).toContainEqual(
      expect.objectContaining({ action: 'report-identifying-acute-danger', conversation: id }),
    );
    expect(log).toContainEqual(expect.objectContaining({ action: 'report-retry', actor: supervisor.id }));
  }, 120_000);
});
