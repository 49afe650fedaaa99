import { describe, expect, it } from 'vitest';
import { collect, emitAck, nextEvent } from '../support/clients.ts';
import { useWidgetPage } from './widget-harness.ts';
import { EMPTY_STATE, nextAssignment, storedState, watchTraceApis } from './widget-support.ts';

describe('coming back with a return code after a quick exit', () => {
  const w = useWidgetPage({
    env: (host) => ({ QUICK_EXIT_URL: host.weatherUrl }),
    operator: { displayName: 'Fatma Yilmaz', languages: ['nl', 'ar'], available: true },
  });

  it('resumes the same conversation showing nothing from before, with a fresh code, and leaves no trace', async () => {
    const traceCalls = await watchTraceApis(w.context);
    await w.page.goto(`${w.t.url}/chat`);
    const historyLength = await w.page.evaluate(() => history.length);
    const assigned = nextAssignment(w.operator);
    await w.page.locator('[data-sl=role-victim]').check();
    await w.page.locator('[data-sl=first-message]').fill('Mijn man leest mee');
    await w.page.locator('[data-sl=start]').click();
    const conversationId = await assigned;
    const firstCode = (await w.page.locator('[data-sl=return-code]').textContent())!;
    await w.page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();
    await emitAck(w.operator, 'chat:message', { conversationId, clientMessageId: 'o1', text: 'Ik ben er.' });
    await w.page.getByText('Ik ben er.').waitFor();

    const left = nextEvent<{ conversationId: string; reason: string }>(w.operator, 'chat:visitor-left');
    await w.page.locator('[data-sl=quick-exit]').click();
    await w.page.waitForURL(w.host.weatherUrl);
    expect(await left).toMatchObject({ conversationId, reason: 'quick-exit' });
    expect(await w.page.evaluate(() => history.length)).toBe(historyLength);
    // Nothing left behind by the quick exit.
    expect(traceCalls).toEqual([]);
    expect(await w.context.cookies()).toEqual([]);

    // Later, a new page: the return code brings the visitor back.
    const returned = nextEvent<{ conversationId: string }>(w.operator, 'chat:visitor-returned');
    await w.page.goto(`${w.t.url}/chat`);
    const backHistory = await w.page.evaluate(() => history.length);
    await w.page.locator('[data-sl=have-return-code]').click();
    await w.page.locator('[data-sl=return-code-input]').fill(firstCode.toLowerCase());
    await w.page.locator('[data-sl=resume]').click();
    await w.page.getByRole('heading', { name: 'Je praat met Fatma' }).waitFor();
    expect((await returned).conversationId).toBe(conversationId);

    // Nothing of before is shown again; a fresh single-use code is.
    expect(await w.page.locator('[data-sl=message]').count()).toBe(0);
    expect(await w.page.content()).not.toContain('Mijn man leest mee');
    expect(await w.page.content()).not.toContain('Ik ben er.');
    const secondCode = await w.page.locator('[data-sl=return-code]').textContent();
    expect(secondCode).toMatch(/^[A-Z]+-\d{5}-[A-Z]+$/);
    expect(secondCode).not.toBe(firstCode);

    // The same conversation carries on, both ways.
    const fromVisitor = collect<{ conversationId: string; text: string }>(w.operator, 'chat:message');
    await w.page.locator('[data-sl=composer]').fill('Ik ben terug');
    await w.page.locator('[data-sl=composer]').press('Enter');
    await expect
      .poll(() => fromVisitor)
      .toEqual([expect.objectContaining({ conversationId, text: 'Ik ben terug' })]);
    await emitAck(w.operator, 'chat:message', {
      conversationId,
      clientMessageId: 'o2',
      text: 'Welkom terug.',
    });
    await w.page.getByText('Welkom terug.').waitFor();
    expect(await w.page.locator('[data-sl=message]').count()).toBe(2);

    // The first code was single-use.
    const other = await w.context.newPage();
    await other.goto(`${w.t.url}/chat`);
    await other.locator('[data-sl=have-return-code]').click();
    await other.locator('[data-sl=return-code-input]').fill(firstCode);
    await other.locator('[data-sl=resume]').click();
    await other.getByRole('alert').getByText('Deze code werkt niet (meer).', { exact: false }).waitFor();
    await other.close();

    expect(traceCalls).toEqual([]);
    expect(await w.context.cookies()).toEqual([]);
    expect(await storedState(w.page)).toEqual(EMPTY_STATE);
    expect(await w.page.evaluate(() => history.length)).toBe(backHistory);
  });
});
