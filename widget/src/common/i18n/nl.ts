/**
 * The loader's strings (the host page), one file per language as in app/i18n. The chat
 * app's catalogues include them; the loader takes only these, never the app.
 */

export const loader = {
  languageName: 'Nederlands',
  dir: 'ltr' as 'ltr' | 'rtl',
  launcher: 'Chat anoniem',
  quickExit: 'Snel weg',
  skipToChat: 'Naar de chat',
  frameTitle: 'Chat',
  shiftLeft: (left: number) =>
    left === 1
      ? 'Druk nog 1 keer op Shift om snel weg te gaan.'
      : `Druk nog ${left} keer op Shift om snel weg te gaan.`,
  escLeft: (left: number) => `Druk nog ${left} keer op Esc om snel weg te gaan.`,
};
export type LoaderStrings = typeof loader;
