import type { LoaderStrings } from './nl.ts';

/** Polish plural: 1 minuta, 2–4 minuty (not 12–14), otherwise minut. */
export const plural = (n: number, one: string, few: string, many: string) => {
  if (n === 1) return one;
  const tens = n % 100;
  return n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? few : many;
};
const times = (n: number) => `${n} ${plural(n, 'raz', 'razy', 'razy')}`;

export const loader: LoaderStrings = {
  languageName: 'Polski',
  dir: 'ltr',
  launcher: 'Czat anonimowy',
  quickExit: 'Szybkie wyjście',
  skipToChat: 'Przejdź do czatu',
  frameTitle: 'Czat',
  shiftLeft: (left) => `Naciśnij Shift jeszcze ${times(left)}, aby szybko wyjść.`,
  escLeft: (left) => `Naciśnij Esc jeszcze ${times(left)}, aby szybko wyjść.`,
};
