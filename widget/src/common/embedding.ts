/**
 * Whether the chat runs in the loader's iframe, and for which host page.
 *
 * A frame is a frame when `window.parent !== window`; that holds in every engine.
 * `location.ancestorOrigins` is only a cross-check where it is informative: Firefox ESR
 * reports `"null"` for a frame whose element has `referrerpolicy="no-referrer"` (as the
 * loader's has), and older Firefox has no such list. Trusting the claimed host there is
 * safe: every message to it is pinned to that origin by `postMessage`'s `targetOrigin`,
 * and messages from it are accepted only from `window.parent` with that origin.
 */

/** The part of `window` the check reads, so that a test can hand in its own. */
export interface FrameContext {
  parent: unknown;
  location: { search: string; ancestorOrigins?: ArrayLike<string> };
}

/**
 * The host page's origin when this page is the loader's iframe (`?embed=1&host=…`) on one
 * of `allowedOrigins`; `undefined` as a full page or for a host that is not allowed.
 *
 * @example embeddingHost(['https://www.example.nl'], window) // 'https://www.example.nl'
 */
export function embeddingHost(allowedOrigins: readonly string[], win: FrameContext): string | undefined {
  if (win.parent === win) return undefined;
  const params = new URLSearchParams(win.location.search);
  const claimed = params.get('host');
  if (params.get('embed') !== '1' || !claimed || !allowedOrigins.includes(claimed)) return undefined;
  const actual = win.location.ancestorOrigins?.[0];
  // "null" (an opaque or hidden origin) says nothing; a real, different origin is a lie.
  return actual === undefined || actual === 'null' || actual === claimed ? claimed : undefined;
}
