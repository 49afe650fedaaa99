import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en.ts';
import { type Messages, nl } from './nl.ts';

export type Locale = 'nl' | 'en';
export type { Messages };

/** Dutch is the default. @default 'nl' */
export const DEFAULT_LOCALE: Locale = 'nl';

export const catalogues: Record<Locale, Messages> = { nl, en };

export interface I18n {
  locale: Locale;
  t: Messages;
  setLocale(locale: Locale): void;
}

export const I18nContext = createContext<I18n>({ locale: DEFAULT_LOCALE, t: nl, setLocale: () => {} });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
