import type { LoaderStrings } from './nl.ts';

export const loader: LoaderStrings = {
  languageName: 'Türkçe',
  dir: 'ltr',
  launcher: 'İsimsiz sohbet',
  quickExit: 'Hızlı çıkış',
  skipToChat: 'Sohbete geç',
  frameTitle: 'Sohbet',
  shiftLeft: (left) => `Hızlıca çıkmak için Shift tuşuna ${left} kez daha basın.`,
  escLeft: (left) => `Hızlıca çıkmak için Esc tuşuna ${left} kez daha basın.`,
};
