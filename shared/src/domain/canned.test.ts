import { describe, expect, it } from 'vitest';
import { languages } from '../protocol/common.ts';
import {
  cannedLanguages,
  cannedResponseSchema,
  cannedText,
  defaultCannedResponses,
  essentialCannedIds,
  SAFETY_CHECK_ID,
} from './canned.ts';

const SCRIPTS: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u,
  tr: /[çğıöşüİÇĞÖŞÜ]/,
  pl: /[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]/,
};

describe('the default canned responses', () => {
  it('exist in all five visitor languages, every one of them, once per language', () => {
    expect([...cannedLanguages]).toEqual([...languages]);
    const ids = [...new Set(defaultCannedResponses.map((c) => c.id))];
    for (const id of ids) {
      const present = defaultCannedResponses.filter((c) => c.id === id).map((c) => c.language);
      expect(present.sort(), id).toEqual([...languages].sort());
    }
    expect(defaultCannedResponses).toHaveLength(ids.length * languages.length);
  });

  it('hold the safety check, the 112 script and the most used texts in each language, in its own words', () => {
    for (const id of essentialCannedIds) {
      const dutch = cannedText(defaultCannedResponses, id, 'nl');
      expect(dutch, id).toBeDefined();
      for (const lang of languages) {
        const own = defaultCannedResponses.find((c) => c.id === id && c.language === lang);
        expect(own, `${id} in ${lang}`).toBeDefined();
        if (lang === 'nl') continue;
        expect(own!.text, `${id} in ${lang}`).not.toBe(dutch);
        const script = SCRIPTS[lang];
        if (script) expect(own!.text, `${id} in ${lang}`).toMatch(script);
      }
    }
    expect(essentialCannedIds).toContain(SAFETY_CHECK_ID);
  });

  it('keep the numbers a victim needs in every language', () => {
    for (const lang of languages) {
      expect(cannedText(defaultCannedResponses, 'emergency-112', lang)).toContain('112');
      expect(cannedText(defaultCannedResponses, 'acute-consent', lang)).toContain('112');
      expect(cannedText(defaultCannedResponses, 'acute-help-coming', lang)).toContain('112');
      expect(cannedText(defaultCannedResponses, 'veilig-thuis', lang)).toContain('0800-2000');
    }
  });

  it('pass the schema the server and the console check them with', () => {
    for (const c of defaultCannedResponses) expect(cannedResponseSchema.parse(c)).toEqual(c);
    expect(cannedResponseSchema.safeParse({ ...defaultCannedResponses[0], language: 'de' }).success).toBe(
      false,
    );
  });
});
