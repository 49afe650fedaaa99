import { useI18n } from '../i18n/index.ts';

/** Administrators' view: a placeholder until account and canned-response management land. */
export function AdminScreen() {
  const { t } = useI18n();
  return (
    <div class="screen admin">
      <h1>{t.admin.heading}</h1>
      <p class="muted">{t.admin.later}</p>
    </div>
  );
}
