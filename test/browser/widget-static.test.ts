import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { chatFrame, ensureWidgetBuilt, launchChromium, watchCspViolations } from './widget-support.ts';

const EMBEDDER = 'https://buurt.example.nl';
const EXIT = 'https://weer.example.nl/vandaag';

/** Every CSP here is strict: nothing inline, nothing evaluated, nothing from elsewhere by default. */
function expectStrictCsp(policy: string | undefined): Map<string, string> {
  expect(policy).toBeDefined();
  const directives = new Map(
    policy!.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(' ')] as const;
    }),
  );
  expect(directives.get('default-src')).toBe("'none'");
  expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  return directives;
}

describe('what the server sends for the widget', () => {
  let t: TestApp;
  let production: TestApp;
  let browser: Browser | undefined;

  beforeAll(async () => {
    ensureWidgetBuilt();
    t = await startTestApp({ EMBED_ORIGINS: EMBEDDER, QUICK_EXIT_URL: EXIT, WAIT_ALTERNATIVES_S: '240' });
    production = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await browser?.close();
    await production?.close();
    await t?.close();
  });

  it('serves /chat uncached, unframeable except by EMBED_ORIGINS, with one inline script (by its hash) and a neutral title', async () => {
    const res = await t.app.inject({ url: '/chat?lang=ar' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const csp = expectStrictCsp(res.headers['content-security-policy'] as string);
    expect(csp.get('script-src')).toMatch(/^'self' 'sha256-[A-Za-z0-9+/]+={0,2}'$/);
    expect(csp.get('frame-ancestors')).toBe(`'self' ${EMBEDDER}`);
    expect(csp.get('form-action')).toBe("'none'");

    const html = res.body;
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('<title>Chat</title>');
    expect(html).toContain('<link rel="icon" href="/chat/favicon.svg">');
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(3);
    for (const [, attrs, body] of scripts) {
      // A module from this origin, a JSON data block that never runs, or the early
      // quick-exit watcher: the one inline script, allowed by its hash and nothing else.
      if (attrs === '') {
        expect(body).toContain('keydown');
        const hash = createHash('sha256').update(body!, 'utf8').digest('base64');
        expect(csp.get('script-src')).toBe(`'self' 'sha256-${hash}'`);
      } else if (attrs!.includes('type="module"')) {
        expect(attrs).toMatch(/src="\/chat\/assets\/[^"]+\.js"/);
        expect(body).toBe('');
      } else {
        expect(attrs).toContain('type="application/json"');
        expect(JSON.parse(body!)).toMatchObject({
          quickExitUrl: EXIT,
          waitAlternativesSeconds: 240,
          returnWindowMinutes: 15,
          embedOrigins: expect.arrayContaining([EMBEDDER]),
        });
      }
    }
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    const favicon = await t.app.inject({ url: '/chat/favicon.svg' });
    expect(favicon.headers['content-type']).toContain('image/svg+xml');
    expect(favicon.body).not.toMatch(/<text|<title/);
    expect((await t.app.inject({ url: '/chat?lang=xx' })).body).toContain('<html lang="nl" dir="ltr">');
  });

  it('keeps the loader within 4 KB gzip and the chat app’s initial JS within 45 KB gzip, all uncached', async () => {
    const loader = await t.app.inject({ url: '/widget.js' });
    expect(loader.statusCode).toBe(200);
    expect(loader.headers['content-type']).toContain('javascript');
    expect(loader.headers['cache-control']).toBe('no-store');
    expect(loader.headers['referrer-policy']).toBe('no-referrer');
    expectStrictCsp(loader.headers['content-security-policy'] as string);
    expect(loader.body).toContain(JSON.stringify(EXIT));
    expect(loader.body).not.toContain('__SL_QUICK_EXIT_URL__');
    expect(gzipSync(loader.rawPayload, { level: 9 }).length).toBeLessThanOrEqual(4096);

    const html = (await t.app.inject({ url: '/chat' })).body;
    const initial = [...html.matchAll(/(?:src|href)="(\/chat\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const url of initial) {
      const asset = await t.app.inject({ url });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('no-store');
      expect(asset.headers['referrer-policy']).toBe('no-referrer');
      gzipped += gzipSync(asset.rawPayload, { level: 9 }).length;
    }
    expect(gzipped).toBeLessThanOrEqual(45 * 1024);

    // Slow lines get them compressed, as the browser asks.
    for (const url of ['/widget.js', initial[0]!, '/chat']) {
      const br = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toContain('accept-encoding');
      expect(br.headers['cache-control']).toBe('no-store');
      expect(br.rawPayload.length).toBeLessThan(gzipped);
    }
  });

  it('serves the demo host page outside production only, itself under a strict CSP', async () => {
    const demo = await t.app.inject({ url: '/' });
    expect(demo.statusCode).toBe(200);
    expect(demo.body).toContain('Buurtinformatie');
    expect(demo.body).toContain('<script src="/widget.js" async></script>');
    const csp = expectStrictCsp(demo.headers['content-security-policy'] as string);
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('frame-src')).toBe("'self'");
    expect(demo.headers['referrer-policy']).toBe('no-referrer');
    expect((await production.app.inject({ url: '/' })).statusCode).toBe(404);
    expect((await production.app.inject({ url: '/chat' })).statusCode).toBe(200);
    // HSTS only on staff answers: a visitor's browser would keep a dated record of the host.
    expect(
      (await production.app.inject({ url: '/chat' })).headers['strict-transport-security'],
    ).toBeUndefined();
    expect(
      (await production.app.inject({ url: '/console/' })).headers['strict-transport-security'],
    ).toContain('max-age=');
  });

  it('serves the console uncached and unframeable', async () => {
    const res = await t.app.inject({ url: '/console/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = expectStrictCsp(res.headers['content-security-policy'] as string);
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect((await t.app.inject({ url: '/console' })).headers.location).toBe('/console/');
  });

  it('runs the demo page and its widget in Chromium without a single CSP violation', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const violations = watchCspViolations(page);
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Welkom in De Linden' }).waitFor();
    await page.locator('[data-sl=launcher]').click();
    const frame = await chatFrame(page, t.url);
    expect(await frame.locator('[data-sl=quick-exit]').textContent()).toBe('Snel weg');
    expect(await page.title()).toBe('Buurtinformatie De Linden');
    expect(violations).toEqual([]);
  });
});
