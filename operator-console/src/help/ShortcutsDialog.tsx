import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { shortcutHelp } from './shortcuts.ts';

interface ShortcutsDialogProps {
  open: boolean;
  onClose(): void;
}

/** The keyboard shortcuts, in a native modal dialog (focus trap and Esc come with it). */
export function ShortcutsDialog({ open, onClose }: ShortcutsDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog ref={dialog} class="help-dialog" aria-labelledby="help-heading" data-sl="help" onClose={onClose}>
      <h2 id="help-heading">{t.help.heading}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t.help.keys}</th>
            <th scope="col">{t.help.action}</th>
          </tr>
        </thead>
        <tbody>
          {shortcutHelp.map((s) => (
            <tr key={s.id}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ` ${s.id === 'selectIndex' ? t.help.to : t.help.or} `}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{t.help.items[s.id]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit" class="primary" autofocus>
          {t.help.close}
        </button>
      </form>
    </dialog>
  );
}
