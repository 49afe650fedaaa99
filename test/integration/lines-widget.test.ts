import { lineResponseSchema } from '@stille-lijn/shared/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWidgetBuilt } from '../browser/widget-support.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { writeLinesFile } from '../support/lines-file.ts';

const frameAncestors = (csp: string | null) => /frame-ancestors ([^;]*)/.exec(csp ?? '')?.[1]?.split(' ');

describe('GET /api/lines/:id and /chat?line= with LINES_FILE', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureWidgetBuilt();
    t = await startTestApp({ LINES_FILE: writeLinesFile(), EMBED_ORIGINS: 'https://everyone.example' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('tells a foreign origin only that it may not embed the line, and nothing about origins, overflow, region or staff', async () => {
    const res = await fetch(`${t.url}/api/lines/utrecht`, {
      headers: { origin: 'https://perpetrator.example' },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      line: {
        id: 'utrecht',
        name: 'Veilig Thuis Utrecht',
        languages: ['nl', 'en'],
        hours: '24/7',
        open: true,
      },
      embeddable: false,
    });
    const text = JSON.stringify(body);
    for (const secret of ['utrecht.example', 'VR09', 'overflow', 'embedOrigins', 'operator', 'waiting']) {
      expect(text).not.toContain(secret);
    }
    // Readable by the loader on any page, but never with credentials, and never stored.
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('says yes to the line’s own origins and to itself, and no to another line’s origin', async () => {
    const ask = async (id: string, origin: string) =>
      (await (await fetch(`${t.url}/api/lines/${id}`, { headers: { origin } })).json()).embeddable;
    expect(await ask('utrecht', 'https://utrecht.example')).toBe(true);
    expect(await ask('utrecht', t.url)).toBe(true);
    expect(await ask('utrecht', 'https://gesloten.example')).toBe(false);
    expect(await ask('gesloten', 'https://ook-gesloten.example')).toBe(true);
    // EMBED_ORIGINS belongs to the one default line of a deployment without LINES_FILE.
    expect(await ask('utrecht', 'https://everyone.example')).toBe(false);
    // Without an Origin (a same-origin read) it does not guess.
    const same = await (await fetch(`${t.url}/api/lines/utrecht`)).json();
    expect(same.embeddable).toBeUndefined();
    expect(lineResponseSchema.safeParse(same).success).toBe(true);
  });

  it('is open while the line or a line along its overflow is open, and gives the weekly hours', async () => {
    const gesloten = await (await fetch(`${t.url}/api/lines/gesloten`)).json();
    expect(gesloten.line.open).toBe(false);
    expect(gesloten.line.hours).toEqual({ tz: 'Europe/Amsterdam', weekly: {} });
    const avond = await (await fetch(`${t.url}/api/lines/avond`)).json();
    expect(avond.line.open).toBe(true);
    expect(JSON.stringify(avond)).not.toContain('utrecht');
  });

  it('answers 404 for a line it lacks and 400 for an id that is not one, readable cross-origin, without echoing it', async () => {
    const missing = await fetch(`${t.url}/api/lines/default`, { headers: { origin: 'https://x.example' } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    for (const bad of ['UTRECHT', '%3Cscript%3E', '-x', 'a'.repeat(41), '__proto__']) {
      const res = await fetch(`${t.url}/api/lines/${bad}`);
      expect(res.status, bad).toBe(400);
      const body = await res.text();
      expect(JSON.parse(body).error.code).toBe('invalid_payload');
      expect(body).not.toContain('script');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('frames /chat?line= only from that line’s embed origins; /chat alone is the first line', async () => {
    const utrecht = await fetch(`${t.url}/chat?line=utrecht`);
    expect(utrecht.status).toBe(200);
    expect(frameAncestors(utrecht.headers.get('content-security-policy'))).toEqual([
      "'self'",
      'https://utrecht.example',
    ]);
    const page = await utrecht.text();
    expect(page).toContain('"name":"Veilig Thuis Utrecht"');
    expect(page).not.toContain('VR09');

    const gesloten = await fetch(`${t.url}/chat?line=gesloten&lang=en`);
    expect(frameAncestors(gesloten.headers.get('content-security-policy'))).toEqual([
      "'self'",
      'https://gesloten.example',
      'https://ook-gesloten.example',
    ]);
    expect(await gesloten.text()).toContain('"open":false');

    const avond = await fetch(`${t.url}/chat?line=avond`);
    expect(frameAncestors(avond.headers.get('content-security-policy'))).toEqual(["'self'"]);

    const first = await fetch(`${t.url}/chat`);
    expect(frameAncestors(first.headers.get('content-security-policy'))).toEqual([
      "'self'",
      'https://utrecht.example',
    ]);
  });

  it('serves no chat for a line it lacks or an id that is not one: a 404 page only it may frame', async () => {
    for (const bad of ['default', 'nope', 'UTRECHT', '', '%3Cb%3E']) {
      const res = await fetch(`${t.url}/chat?line=${bad}`);
      expect(res.status, bad).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(frameAncestors(res.headers.get('content-security-policy'))).toEqual(["'self'"]);
      const html = await res.text();
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<b>');
      expect(html).toContain('0800-2000');
    }
    const twice = await fetch(`${t.url}/chat?line=utrecht&line=gesloten`);
    expect(twice.status).toBe(404);
  });
});

describe('without LINES_FILE: one default line, as before', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureWidgetBuilt();
    t = await startTestApp({ EMBED_ORIGINS: 'https://a.example,https://b.example' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('frames /chat and /chat?line=default from EMBED_ORIGINS and reads the default line', async () => {
    for (const path of ['/chat', '/chat?line=default']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(frameAncestors(res.headers.get('content-security-policy'))).toEqual([
        "'self'",
        'https://a.example',
        'https://b.example',
      ]);
    }
    const res = await fetch(`${t.url}/api/lines/default`, { headers: { origin: 'https://b.example' } });
    expect(await res.json()).toEqual({
      line: {
        id: 'default',
        name: 'Stille Lijn',
        languages: ['nl', 'en', 'ar', 'tr', 'pl'],
        hours: '24/7',
        open: true,
      },
      embeddable: true,
    });
  });
});
