import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';

interface LogoutDialogProps {
  open: boolean;
  activeCount: number;
  onHandover(): void;
  onSignOut(): void;
  onClose(): void;
}

/** Signing out with active conversations asks first, and offers the hand-over. */
export function LogoutDialog({ open, activeCount, onHandover, onSignOut, onClose }: LogoutDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      class="handover-dialog"
      aria-labelledby="logout-heading"
      data-sl="logout-dialog"
      onClose={onClose}
    >
      <h2 id="logout-heading">{t.shift.logoutHeading}</h2>
      <p>{t.shift.logoutIntro(activeCount)}</p>
      <div class="buttons">
        <button type="button" class="primary" data-sl="logout-handover" autofocus onClick={onHandover}>
          {t.shift.logoutHandover}
        </button>
        <button type="button" data-sl="logout-confirm" onClick={onSignOut}>
          {t.shift.logoutAnyway}
        </button>
        <button type="button" onClick={() => dialog.current?.close()}>
          {t.shift.logoutCancel}
        </button>
      </div>
    </dialog>
  );
}
