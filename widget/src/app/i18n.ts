/// <reference types="vite/client" />
import { type EmbedLanguage, embedLanguages } from '@stille-lijn/shared/embed';
import type { LoaderStrings } from '../common/i18n/nl.ts';
import nl, { type Catalogue } from './i18n/nl.ts';

export type { Catalogue };
export type Language = EmbedLanguage;
/** Every language the visitor can choose, in the order of `languages` (common.ts). */
export const appLanguages = embedLanguages;

/**
 * One file per language in ./i18n, picked up by name: adding a language is adding its file.
 * Dutch is in the first chunk (the fallback); every other catalogue is a chunk of its own,
 * fetched when needed: the page's language ahead of the app (the server lists it as a
 * modulepreload), the rest once the start screen is up, so that a switch is instant.
 */
const lazy = import.meta.glob<Catalogue>(['./i18n/*.ts', '!./i18n/nl.ts'], { import: 'default' });
const loaded = new Map<Language, Catalogue>([['nl', nl]]);
const loading = new Map<Language, Promise<Catalogue>>();

/** The loader's few strings (each language's name, the quick-exit key hints), all in the first chunk. */
const loaderStrings = import.meta.glob<LoaderStrings>('../common/i18n/*.ts', {
  eager: true,
  import: 'loader',
});

export const isLanguage = (value: string | null | undefined): value is Language =>
  appLanguages.some((lang) => lang === value);

/** A language's own name, for the language menu (no catalogue needed). */
export const languageName = (lang: Language): string =>
  (loaderStrings[`../common/i18n/${lang}.ts`] ?? nl).languageName;

/** The strings the quick-exit keys announce, in any language at once. */
export const exitKeyStrings = (lang: Language): LoaderStrings =>
  loaderStrings[`../common/i18n/${lang}.ts`] ?? nl;

/** The catalogue of `lang` once it is here (`loadCatalogue`); Dutch until then, or when a language has no file. */
export const catalogueFor = (lang: Language): Catalogue => loaded.get(lang) ?? nl;

/** True when `catalogueFor(lang)` gives that language's own catalogue. */
export const hasCatalogue = (lang: Language): boolean => loaded.has(lang) || !lazy[`./i18n/${lang}.ts`];

/** Fetches the catalogue of `lang` (once; a failed request is tried again on the next call). */
export function loadCatalogue(lang: Language): Promise<Catalogue> {
  const ready = loaded.get(lang);
  const load = lazy[`./i18n/${lang}.ts`];
  if (ready || !load) return Promise.resolve(ready ?? nl);
  let pending = loading.get(lang);
  if (!pending) {
    pending = load().then(
      (catalogue) => {
        loaded.set(lang, catalogue);
        loading.delete(lang);
        return catalogue;
      },
      (err: unknown) => {
        loading.delete(lang);
        throw err;
      },
    );
    loading.set(lang, pending);
  }
  return pending;
}
