export type FocusTarget = 'queue' | 'conversations' | 'composer' | 'notes';

export type ShortcutAction =
  | { kind: 'select-index'; index: number }
  | { kind: 'select-offset'; offset: 1 | -1 }
  | { kind: 'focus'; target: FocusTarget }
  | { kind: 'help' };

/** The parts of a KeyboardEvent the shortcuts look at. */
export interface KeyLike {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

const letterActions: Record<string, ShortcutAction> = {
  q: { kind: 'focus', target: 'queue' },
  l: { kind: 'focus', target: 'conversations' },
  c: { kind: 'focus', target: 'composer' },
  n: { kind: 'focus', target: 'notes' },
  h: { kind: 'help' },
};

/**
 * The console's global shortcuts, all on Alt so they never collide with typing.
 * Digits and letters are read from `code` when Alt turns `key` into a symbol (macOS).
 */
export function shortcutFor(e: KeyLike): ShortcutAction | undefined {
  if (!e.altKey || e.ctrlKey || e.metaKey) return undefined;
  if (e.key === 'ArrowUp') return { kind: 'select-offset', offset: -1 };
  if (e.key === 'ArrowDown') return { kind: 'select-offset', offset: 1 };
  if (e.shiftKey) return undefined;
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(e.code)?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : undefined);
  if (digit !== undefined) return { kind: 'select-index', index: Number(digit) - 1 };
  const letter = /^[a-z]$/i.test(e.key)
    ? e.key.toLowerCase()
    : /^Key([A-Z])$/.exec(e.code)?.[1]?.toLowerCase();
  return letter === undefined ? undefined : letterActions[letter];
}

/** What the help dialog lists, in order; descriptions come from the catalogue by `id`. */
export const shortcutHelp = [
  { id: 'selectIndex', keys: ['Alt+1', 'Alt+9'] },
  { id: 'previousNext', keys: ['Alt+↑', 'Alt+↓'] },
  { id: 'focusQueue', keys: ['Alt+Q'] },
  { id: 'focusConversations', keys: ['Alt+L'] },
  { id: 'focusComposer', keys: ['Alt+C'] },
  { id: 'focusNotes', keys: ['Alt+N'] },
  { id: 'help', keys: ['Alt+H'] },
  { id: 'send', keys: ['Enter'] },
  { id: 'newline', keys: ['Shift+Enter'] },
  { id: 'canned', keys: ['/'] },
  { id: 'close', keys: ['Esc'] },
] as const;

export type ShortcutHelpId = (typeof shortcutHelp)[number]['id'];
