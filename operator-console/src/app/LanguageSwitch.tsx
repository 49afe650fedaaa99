import { useI18n } from '../i18n/index.ts';

/**
 * The button that switches the console between Dutch and English, named in the language it
 * switches to (its `lang`), in the header of every screen: sign-in, lock and signed-in.
 */
export function LanguageSwitch({ onToggle }: { onToggle(): void }) {
  const { t, locale } = useI18n();
  return (
    <button type="button" class="link-button" lang={locale === 'nl' ? 'en' : 'nl'} onClick={onToggle}>
      {t.app.switchLanguage}
    </button>
  );
}
