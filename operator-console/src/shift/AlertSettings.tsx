import { useI18n } from '../i18n/index.ts';
import type { BackgroundAlerts } from './useBackgroundAlerts.ts';

/** The operator's own choice of a tone and desktop notifications; both off until chosen. */
export function AlertSettings({ alerts }: { alerts: BackgroundAlerts }) {
  const { t } = useI18n();
  return (
    <fieldset class="alert-settings">
      <legend class="sr-only">{t.shift.alertsHeading}</legend>
      <label class="choice">
        <input
          type="checkbox"
          data-sl="sound-toggle"
          checked={alerts.sound}
          onChange={(e) => alerts.setSound(e.currentTarget.checked)}
        />{' '}
        {t.shift.sound}
      </label>
      {alerts.permission === 'default' && (
        <button
          type="button"
          class="link-button"
          data-sl="notify-enable"
          onClick={() => void alerts.requestPermission()}
        >
          {t.shift.notifyEnable}
        </button>
      )}
      {alerts.permission === 'granted' && (
        <span class="muted" data-sl="notify-on">
          {t.shift.notifyOn}
        </span>
      )}
      {alerts.permission === 'denied' && <span class="muted">{t.shift.notifyDenied}</span>}
    </fieldset>
  );
}
