import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateTotpSecret, TOTP_PERIOD_S, totpCodeAt } from '../../server/src/auth/totp.ts';
import { TOTP_FAILURE_LIMIT } from '../../server/src/auth/totp-lock.ts';
import { axeViolations } from '../support/browser.ts';
import { useConsole } from './console-harness.ts';

describe('console: a locked TOTP step in the account list', () => {
  // One proxy hop: each wrong code comes from an address of its own, so the throttle stays out.
  const ui = useConsole({ env: { TRUST_PROXY: '1' } });

  it('shows the lock and its remedy in Dutch, and a password reset lifts it', async () => {
    const t = ui.t;
    const admin = { username: `admin${randomUUID().slice(0, 6)}`, password: `pw-${randomUUID()}` };
    await t.app.operators.create({ ...admin, role: 'admin', displayName: 'Ada' });
    const noor = { username: `noor${randomUUID().slice(0, 6)}`, password: `pw-${randomUUID()}` };
    const { id } = await t.app.operators.create({ ...noor, displayName: 'Noor' });
    const secret = generateTotpSecret();
    await t.app.operators.setTotpSecret(id, secret);
    // A phone whose clock drifts: the right password, codes the window does not accept.
    const near = new Set(
      [-2, -1, 0, 1, 2].map((s) => totpCodeAt(secret, Date.now() + s * TOTP_PERIOD_S * 1000)),
    );
    let sent = 0;
    for (let n = 100_000; sent < TOTP_FAILURE_LIMIT; n += 7919) {
      if (near.has(String(n))) continue;
      const res = await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.0.${++sent}` },
        body: JSON.stringify({ ...noor, totp: String(n) }),
      });
      expect(res.status).toBe(401);
    }

    const page = await ui.signedIn(admin);
    await page.locator('[data-sl="view-admin"]').click();
    const row = page.locator(`[data-sl="account-row"][data-operator-id="${id}"]`);
    await row.and(page.locator('[data-totp-locked="true"]')).waitFor();
    expect(await row.locator('[data-sl="account-totp-locked"]').textContent()).toBe('Op slot');
    const notice = page.locator('[data-sl="totp-locked-notice"]');
    expect(await notice.textContent()).toContain(`${noor.username}: reset het wachtwoord`);
    expect(await axeViolations(page)).toEqual([]);

    await row.locator('[data-sl="account-reset"]').click();
    await row.locator('[data-sl="account-confirm"]').click();
    await page.locator('[data-sl="one-time-password"]').waitFor();
    await row.and(page.locator('[data-totp-locked="false"]')).waitFor();
    expect(await notice.count()).toBe(0);
    // The server agrees: after a reload the list shows no lock either.
    await page.reload();
    await page.locator('[data-sl="view-admin"]').click();
    await row.and(page.locator('[data-totp-locked="false"]')).waitFor();
    expect(await notice.count()).toBe(0);
  }, 120_000);
});
