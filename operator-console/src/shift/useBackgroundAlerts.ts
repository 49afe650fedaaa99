import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import type { WorkspaceState } from '../state/workspace.ts';
import {
  type BackgroundEvent,
  backgroundEvents,
  pendingCount,
  playTone,
  readSoundSetting,
  tabTitle,
  unlockAudio,
  writeSoundSetting,
} from './background.ts';

export type NotifyPermission = NotificationPermission | 'unsupported';

export interface BackgroundAlerts {
  sound: boolean;
  setSound(on: boolean): void;
  permission: NotifyPermission;
  /** Asks the browser for permission; only ever from the operator's click. */
  requestPermission(): Promise<void>;
}

const currentPermission = (): NotifyPermission =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;

/**
 * The console's signals for an operator looking elsewhere, on the operator's device only:
 * the count in the tab title, an optional tone, and desktop notifications once allowed.
 * A notification says what happened, never what anyone wrote.
 */
export function useBackgroundAlerts(state: WorkspaceState): BackgroundAlerts {
  const { t } = useI18n();
  const [sound, setSoundState] = useState(readSoundSetting);
  const [permission, setPermission] = useState<NotifyPermission>(currentPermission);
  const previous = useRef(state);
  const settings = useRef({ sound, permission, t });
  settings.current = { sound, permission, t };

  const count = pendingCount(state);
  useEffect(() => {
    document.title = tabTitle(count, t.app.title, t.shift.titleCount);
  }, [count, t]);

  useEffect(() => {
    const before = previous.current;
    previous.current = state;
    if (before === state) return;
    const events = backgroundEvents(before, state);
    if (events.length === 0) return;
    const { sound: soundOn, permission: allowed, t: texts } = settings.current;
    if (soundOn) playTone();
    // A locked screen in front is read by nobody: it notifies as a console in the background does.
    const inFront = document.visibilityState === 'visible' && document.hasFocus() && !state.screenLocked;
    if (allowed !== 'granted' || inFront) return;
    const bodies: Record<BackgroundEvent, string> = {
      assigned: texts.shift.notifyAssigned,
      'urgent-waiting': texts.shift.notifyUrgent,
      'visitor-returned': texts.shift.notifyReturned,
    };
    for (const event of events) {
      try {
        new Notification(texts.app.name, { body: bodies[event], tag: `stille-lijn-${event}` });
      } catch {
        // Some browsers allow notifications only from a service worker; the title still counts.
      }
    }
  }, [state]);

  return {
    sound,
    setSound(on) {
      if (on) unlockAudio();
      writeSoundSetting(on);
      setSoundState(on);
    },
    permission,
    async requestPermission() {
      if (typeof Notification === 'undefined') return;
      setPermission(await Notification.requestPermission());
    },
  };
}
