/// <reference types="vite/client" />
import { type EmbedLanguage, embedLanguages } from '@stille-lijn/shared/embed';
import type { Catalogue } from './i18n/nl.ts';

export type { Catalogue };
export type Language = EmbedLanguage;
/** Every language the visitor can choose, in the order of `languages` (common.ts). */
export const appLanguages = embedLanguages;

/** One file per language in ./i18n, picked up by name: adding a language is adding its file. */
const catalogues = import.meta.glob<Catalogue>('./i18n/*.ts', { eager: true, import: 'default' });

export const isLanguage = (value: string | null | undefined): value is Language =>
  appLanguages.some((lang) => lang === value);

/** The catalogue of `lang`; Dutch when a language has no file yet. */
export const catalogueFor = (lang: Language): Catalogue =>
  catalogues[`./i18n/${lang}.ts`] ?? catalogues['./i18n/nl.ts']!;
