/**
 * Quick exit, shared by the loader (host page) and the chat app: the keyboard trigger,
 * blanking a page and leaving it without adding a history entry.
 */

/** Each press must follow the previous one within this time. @default 5000 */
export const EXIT_KEY_WINDOW_MS = 5000;
/** @default 3 */
export const SHIFT_PRESSES = 3;
/** @default 2 */
export const ESC_PRESSES = 2;

export type ExitKey = 'Shift' | 'Escape';

/**
 * Watches `target` for Shift pressed alone three times, or Esc twice, each press within
 * 5 s of the previous one, as GOV.UK's "Exit this page" does. Any other key resets the
 * count, so Shift used for a capital letter or Shift+Tab never counts. Listens in the
 * capture phase, so that the page's own handlers cannot swallow the keys.
 *
 * `onProgress` gets the presses still needed after each counted press, and `0` when
 * the count is reset or lapses; `onExit` runs synchronously inside the key handler.
 */
export function watchExitKeys(
  target: Window,
  onProgress: (key: ExitKey, left: number) => void,
  onExit: () => void,
): void {
  let counted: ExitKey = 'Shift';
  let count = 0;
  let lastAt = 0;
  // True once another key went down after Shift did: that Shift press was a combination.
  let combination = false;
  let lapse: ReturnType<typeof setTimeout> | undefined;

  const reset = () => {
    clearTimeout(lapse);
    if (count > 0) onProgress(counted, 0);
    count = 0;
  };
  const press = (key: ExitKey, needed: number) => {
    const now = Date.now();
    count = key === counted && now - lastAt <= EXIT_KEY_WINDOW_MS ? count + 1 : 1;
    counted = key;
    lastAt = now;
    clearTimeout(lapse);
    if (count >= needed) {
      count = 0;
      onExit();
      return;
    }
    onProgress(key, needed - count);
    lapse = setTimeout(reset, EXIT_KEY_WINDOW_MS);
  };

  target.addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Shift') {
        combination = false;
      } else {
        combination = true;
        if (event.key !== 'Escape') reset();
        else if (!event.repeat) press('Escape', ESC_PRESSES);
      }
    },
    true,
  );
  target.addEventListener(
    'keyup',
    (event) => {
      if (event.key === 'Shift' && !combination) press('Shift', SHIFT_PRESSES);
    },
    true,
  );
}

/**
 * The global by which the chat page's first script (widget/src/early/main.ts) hands its
 * running key watcher to the app, so that presses counted before the app ran still count.
 */
export const EARLY_EXIT_KEYS = '__slExitKeys';
/** Gives the early watcher the app's handlers for progress and for the exit itself. */
export type EarlyExitKeys = (onProgress: (key: ExitKey, left: number) => void, onExit: () => void) => void;

/**
 * Watches the quick-exit keys with the app's handlers: by adopting the early watcher when
 * the page has one, else with a watcher of its own (a page built without it, as in dev).
 */
export function adoptExitKeys(onProgress: (key: ExitKey, left: number) => void, onExit: () => void): void {
  const early = (window as unknown as Record<string, EarlyExitKeys | undefined>)[EARLY_EXIT_KEYS];
  if (typeof early === 'function') early(onProgress, onExit);
  else watchExitKeys(window, onProgress, onExit);
}

/** Hides the whole document at once: nothing of the page stays on screen. */
export function blankPage(): void {
  document.documentElement.style.setProperty('display', 'none', 'important');
}

/** Undoes `blankPage`, for a page restored from the back/forward cache. */
export function unblankPage(): void {
  document.documentElement.style.removeProperty('display');
}

/**
 * Sends the top window to `url`, replacing the current history entry. A frame that may
 * not navigate its top window replaces its own address instead.
 */
export function replaceTopLocation(url: string): void {
  try {
    (window.top ?? window).location.replace(url);
  } catch {
    window.location.replace(url);
  }
}
