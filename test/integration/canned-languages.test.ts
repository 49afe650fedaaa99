/**
 * Issue 11 (item 3): the safety check, the 112 script and the most used canned texts in
 * all five visitor languages, served by the real server: on a fresh Redis, and on a list
 * seeded by the release that knew only Dutch and English, whose edits must survive.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createOperator } from '../support/clients.ts';
import { writeLinesFile } from '../support/lines-file.ts';
import { auditEntries } from '../support/per-test.ts';

type Canned = { id: string; language: string; title: string; text: string; keywords: string[] };

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function list(cookie: string): Promise<Canned[]> {
  const res = await fetch(`${t.url}/api/canned`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { canned: Canned[] }).canned;
}

const ESSENTIAL = ['safety-check', 'emergency-112', 'acute-location', 'acute-consent', 'acute-help-coming'];

describe('who changes the canned responses', () => {
  it("a supervisor of one line may not: the list, the 112 script included, is every line's", async () => {
    const line = (id: string) => ({ id, name: id, languages: ['nl'], hours: '24/7', embedOrigins: [] });
    t = await startTestApp({ LINES_FILE: writeLinesFile([line('noord'), line('zuid')]) });
    const noord = await createOperator(t, { role: 'supervisor', lines: ['noord'] });
    const everyLine = await createOperator(t, { role: 'supervisor', lines: ['*'] });
    const admin = await createOperator(t, { role: 'admin' });
    const send = (cookie: string, method: string, path: string, body?: unknown) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: { cookie, origin: t.url, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const before = await list(noord.cookie);
    const script = before.find((c) => c.id === 'emergency-112' && c.language === 'nl')!;
    const edited = { ...script, text: 'Bel maar niet.' };

    const put = await send(noord.cookie, 'PUT', '/api/canned', edited);
    expect(put.status).toBe(403);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await send(noord.cookie, 'DELETE', '/api/canned/emergency-112/ar')).status).toBe(403);
    expect(await list(noord.cookie)).toEqual(before);

    // A supervisor of every line and an admin may.
    expect((await send(everyLine.cookie, 'PUT', '/api/canned', edited)).status).toBe(200);
    expect(
      (await list(noord.cookie)).find((c) => c.id === 'emergency-112' && c.language === 'nl')?.text,
    ).toBe('Bel maar niet.');
    expect((await send(admin.cookie, 'PUT', '/api/canned', script)).status).toBe(200);
    expect(await list(noord.cookie)).toEqual(before);
  });
});

describe('canned responses in five languages', () => {
  it('serves the safety check and the 112 script in nl, en, ar, tr and pl from a fresh start', async () => {
    t = await startTestApp();
    const op = await createOperator(t);
    const canned = await list(op.cookie);
    for (const id of ESSENTIAL) {
      expect(
        canned
          .filter((c) => c.id === id)
          .map((c) => c.language)
          .sort(),
        id,
      ).toEqual(['ar', 'en', 'nl', 'pl', 'tr']);
    }
    expect(canned.find((c) => c.id === 'acute-consent' && c.language === 'ar')?.text).toBe(
      'هل تريد أن نتصل بالرقم 112 من أجلك الآن؟',
    );
  });

  it('adds the new languages to a list seeded by the Dutch-and-English release, keeping a supervisor’s edit', async () => {
    t = await startTestApp();
    // The earlier release's list: Dutch and English only, the safety check edited.
    const edited = {
      id: 'safety-check',
      language: 'nl',
      title: 'Veiligheidscheck',
      text: 'Kun je nu veilig schrijven?',
      keywords: [],
    };
    await t.app.redis.hset(t.app.keys.canned, {
      'safety-check:nl': JSON.stringify(edited),
      'safety-check:en': JSON.stringify({
        id: 'safety-check',
        language: 'en',
        title: 'Safety check',
        text: 'Is it safe to chat right now?',
        keywords: [],
      }),
    });
    const op = await createOperator(t);
    const canned = await list(op.cookie);
    expect(canned.find((c) => c.id === 'safety-check' && c.language === 'nl')?.text).toBe(edited.text);
    expect(canned.find((c) => c.id === 'safety-check' && c.language === 'pl')?.text).toBe(
      'Czy możesz teraz bezpiecznie pisać? Czy ktoś może czytać tę rozmowę? Ile masz czasu?',
    );
    for (const id of ESSENTIAL) expect(canned.filter((c) => c.id === id)).toHaveLength(5);

    // Seeded once: a translation a supervisor deletes stays deleted.
    const sup = await createOperator(t, { role: 'supervisor' });
    const del = await fetch(`${t.url}/api/canned/take-time/tr`, {
      method: 'DELETE',
      headers: { cookie: sup.cookie },
    });
    expect(del.status).toBe(200);
    const after = await list(op.cookie);
    expect(after.some((c) => c.id === 'take-time' && c.language === 'tr')).toBe(false);
    // A language outside the five is refused.
    const bad = await fetch(`${t.url}/api/canned`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: sup.cookie },
      body: JSON.stringify({ ...edited, language: 'de' }),
    });
    expect(bad.status).toBe(400);
  });
});

/** The safety-critical defaults: the safety check and the 112 script (danger, where, may we call, help is coming). */
const PROTECTED = ['safety-check', 'emergency-112', 'acute-location', 'acute-consent', 'acute-help-coming'];
const LANGUAGES = ['nl', 'en', 'ar', 'tr', 'pl'];

describe('the safety-critical defaults: editable, never deletable', () => {
  const send = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${t.url}${path}`, {
      method,
      headers: { cookie, origin: t.url, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const auditActions = async () => (await auditEntries(t)).map((e) => e.action);

  it('refuses to delete the safety check or the 112 script in any language (conflict), for an admin too', async () => {
    t = await startTestApp();
    const admin = await createOperator(t, { role: 'admin' });
    const before = await list(admin.cookie);
    for (const id of PROTECTED) {
      for (const language of LANGUAGES) {
        const res = await send(admin.cookie, 'DELETE', `/api/canned/${id}/${language}`);
        expect(res.status, `${id}:${language}`).toBe(409);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('conflict');
      }
    }
    expect(await list(admin.cookie)).toEqual(before);
    expect(await auditActions()).not.toContain('canned-delete');

    // Editable still: an admin rewords the 112 script.
    const script = before.find((c) => c.id === 'emergency-112' && c.language === 'nl')!;
    const put = await send(admin.cookie, 'PUT', '/api/canned', { ...script, text: 'Bel 112 als je kunt.' });
    expect(put.status).toBe(200);
    expect(
      (await list(admin.cookie)).find((c) => c.id === 'emergency-112' && c.language === 'nl')?.text,
    ).toBe('Bel 112 als je kunt.');

    // Positive control: an ordinary default and an own text are deleted as before.
    const sup = await createOperator(t, { role: 'supervisor' });
    expect((await send(sup.cookie, 'DELETE', '/api/canned/take-time/nl')).status).toBe(200);
    const own = { id: 'pauze', language: 'nl', title: 'Pauze', text: 'Ik ben zo terug.', keywords: [] };
    expect((await send(sup.cookie, 'PUT', '/api/canned', own)).status).toBe(200);
    expect((await send(sup.cookie, 'DELETE', '/api/canned/pauze/nl')).status).toBe(200);
    const after = await list(sup.cookie);
    expect(after.some((c) => c.id === 'take-time' && c.language === 'nl')).toBe(false);
    expect(after.some((c) => c.id === 'pauze')).toBe(false);
  });

  it('answers who may not change the list with forbidden first, protected or not', async () => {
    const line = (id: string) => ({ id, name: id, languages: ['nl'], hours: '24/7', embedOrigins: [] });
    t = await startTestApp({ LINES_FILE: writeLinesFile([line('noord'), line('zuid')]) });
    const noord = await createOperator(t, { role: 'supervisor', lines: ['noord'] });
    const res = await send(noord.cookie, 'DELETE', '/api/canned/emergency-112/nl');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('gives back, on upgrade, a safety-critical default deleted before, but not an ordinary one', async () => {
    t = await startTestApp();
    const op = await createOperator(t);
    await list(op.cookie); // seeded by this release
    // As the previous release left it: the Arabic 112 script and a Turkish text deleted.
    await t.app.redis.hdel(t.app.keys.canned, 'emergency-112:ar', 'take-time:tr');
    await t.app.redis.set(t.app.keys.cannedSeed, '2');
    const canned = await list(op.cookie);
    expect(canned.filter((c) => c.id === 'emergency-112')).toHaveLength(5);
    expect(canned.some((c) => c.id === 'take-time' && c.language === 'tr')).toBe(false);
  });
});

describe('whether the caller may change the list (`editable`)', () => {
  it('is true for an admin and a supervisor of every line, false for anyone else', async () => {
    const line = (id: string) => ({ id, name: id, languages: ['nl'], hours: '24/7', embedOrigins: [] });
    t = await startTestApp({ LINES_FILE: writeLinesFile([line('noord'), line('zuid')]) });
    const editable = async (cookie: string) => {
      const res = await fetch(`${t.url}/api/canned`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { canned: unknown[]; editable?: unknown };
      expect(body.canned.length).toBeGreaterThan(0);
      return body.editable;
    };
    const accounts = {
      admin: await createOperator(t, { role: 'admin' }),
      everyLine: await createOperator(t, { role: 'supervisor', lines: ['*'] }),
      // Every line by name: only the server knows the deployment has no third.
      bothByName: await createOperator(t, { role: 'supervisor', lines: ['noord', 'zuid'] }),
      noord: await createOperator(t, { role: 'supervisor', lines: ['noord'] }),
      operatorOfAll: await createOperator(t, { role: 'operator', lines: ['*'] }),
    };
    const seen: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(accounts)) seen[name] = await editable(a.cookie);
    expect(seen).toEqual({
      admin: true,
      everyLine: true,
      bothByName: true,
      noord: false,
      operatorOfAll: false,
    });
  });
});
