import { describe, expect, it } from 'vitest';
import { type KeyLike, shortcutFor } from './shortcuts.ts';

const key = (k: Partial<KeyLike>): KeyLike => ({
  key: '',
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...k,
});

describe('shortcutFor', () => {
  it('maps Alt+1..9 to list positions, also when Alt changes the key (macOS)', () => {
    expect(shortcutFor(key({ altKey: true, key: '1', code: 'Digit1' }))).toEqual({
      kind: 'select-index',
      index: 0,
    });
    expect(shortcutFor(key({ altKey: true, key: '¡', code: 'Digit1' }))).toEqual({
      kind: 'select-index',
      index: 0,
    });
    expect(shortcutFor(key({ altKey: true, key: '9', code: 'Numpad9' }))).toEqual({
      kind: 'select-index',
      index: 8,
    });
    expect(shortcutFor(key({ altKey: true, key: '0', code: 'Digit0' }))).toBeUndefined();
  });

  it('maps Alt+arrows to previous and next', () => {
    expect(shortcutFor(key({ altKey: true, key: 'ArrowUp' }))).toEqual({ kind: 'select-offset', offset: -1 });
    expect(shortcutFor(key({ altKey: true, key: 'ArrowDown' }))).toEqual({
      kind: 'select-offset',
      offset: 1,
    });
  });

  it('maps Alt+letters to focus targets and help', () => {
    expect(shortcutFor(key({ altKey: true, key: 'q', code: 'KeyQ' }))).toEqual({
      kind: 'focus',
      target: 'queue',
    });
    expect(shortcutFor(key({ altKey: true, key: 'œ', code: 'KeyQ' }))).toEqual({
      kind: 'focus',
      target: 'queue',
    });
    expect(shortcutFor(key({ altKey: true, key: 'C', code: 'KeyC' }))).toEqual({
      kind: 'focus',
      target: 'composer',
    });
    expect(shortcutFor(key({ altKey: true, key: 'h', code: 'KeyH' }))).toEqual({ kind: 'help' });
    expect(shortcutFor(key({ altKey: true, key: 'z', code: 'KeyZ' }))).toBeUndefined();
  });

  it('ignores keys without Alt, or with Ctrl or Meta, so typing is never taken over', () => {
    expect(shortcutFor(key({ key: '1', code: 'Digit1' }))).toBeUndefined();
    expect(shortcutFor(key({ key: 'ArrowDown' }))).toBeUndefined();
    expect(shortcutFor(key({ altKey: true, ctrlKey: true, key: '1', code: 'Digit1' }))).toBeUndefined();
    expect(shortcutFor(key({ altKey: true, metaKey: true, key: 'q', code: 'KeyQ' }))).toBeUndefined();
  });
});
