/**
 * Fetches the conversation's chunk (live.ts) once, after the start screen is up; a request
 * that failed is made again on the next call. Kept apart from session.ts, which gets it
 * passed in, so that no import cycle runs through the chunk.
 */
export type Live = typeof import('./live.ts');

let live: Live | undefined;
let liveLoading: Promise<Live> | undefined;

export function loadLive(): Promise<Live> {
  liveLoading ??= import('./live.ts').then(
    (module) => {
      live = module;
      return module;
    },
    (err: unknown) => {
      liveLoading = undefined;
      throw err;
    },
  );
  return liveLoading;
}

/** The conversation's chunk once it is here, else undefined. */
export const loadedLive = (): Live | undefined => live;
