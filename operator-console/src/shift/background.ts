import type { WorkspaceState } from '../state/workspace.ts';

/** What the console tells the operator about while they may be looking elsewhere. */
export type BackgroundEvent = 'assigned' | 'urgent-waiting' | 'visitor-returned';

/** Waiting conversations plus unread visitor messages: the count in the tab title. */
export function pendingCount(state: WorkspaceState): number {
  let unread = 0;
  for (const entry of Object.values(state.conversations)) unread += entry.unread;
  return state.queue.length + unread;
}

/** The tab title: the count first, so it shows in a narrow tab. */
export function tabTitle(
  count: number,
  title: string,
  withCount: (n: number, title: string) => string,
): string {
  return count > 0 ? withCount(count, title) : title;
}

/**
 * The events between two states: a conversation assigned, a visitor back, an urgent
 * visitor newly waiting (in the queue, or a supervisor's `urgent-waiting` alert).
 */
export function backgroundEvents(before: WorkspaceState, after: WorkspaceState): BackgroundEvent[] {
  const events = new Set<BackgroundEvent>();
  const a = after.announcement;
  if (a && a.seq !== before.announcement?.seq) {
    if (a.kind === 'assigned') events.add('assigned');
    if (a.kind === 'visitor-returned') events.add('visitor-returned');
  }
  if (after.queue !== before.queue) {
    const known = new Set(before.queue.map((w) => w.conversationId));
    if (after.queue.some((w) => w.urgent && !known.has(w.conversationId))) events.add('urgent-waiting');
  }
  if (
    after.alerts !== before.alerts &&
    after.alerts[0]?.kind === 'urgent-waiting' &&
    after.alerts[0] !== before.alerts[0]
  ) {
    events.add('urgent-waiting');
  }
  return [...events];
}

/** The sound setting: on this device only, written only when the operator turns it on. */
export const SOUND_KEY = 'stille-lijn.console.sound';

export function readSoundSetting(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false;
  }
}

export function writeSoundSetting(on: boolean): void {
  try {
    if (on) localStorage.setItem(SOUND_KEY, 'on');
    else localStorage.removeItem(SOUND_KEY);
  } catch {
    // A browser that refuses storage keeps the choice for this tab only.
  }
}

let audio: AudioContext | undefined;

/** Prepares audio; call it from the operator's click, as browsers allow sound only after a gesture. */
export function unlockAudio(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  void audio.resume();
}

/** A short, soft two-note tone, generated (no sound file to fetch). */
export function playTone(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  const ctx = audio;
  const start = ctx.currentTime;
  for (const [i, frequency] of [660, 880].entries()) {
    const at = start + i * 0.18;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.17);
  }
}
