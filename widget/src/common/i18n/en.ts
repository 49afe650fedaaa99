import type { LoaderStrings } from './nl.ts';

export const loader: LoaderStrings = {
  languageName: 'English',
  dir: 'ltr',
  launcher: 'Chat anonymously',
  quickExit: 'Quick exit',
  skipToChat: 'Skip to the chat',
  frameTitle: 'Chat',
  shiftLeft: (left) =>
    left === 1
      ? 'Press Shift 1 more time to leave quickly.'
      : `Press Shift ${left} more times to leave quickly.`,
  escLeft: (left) => `Press Esc ${left} more time${left === 1 ? '' : 's'} to leave quickly.`,
};
