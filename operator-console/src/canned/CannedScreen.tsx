import { isUndeletableCanned } from '@stille-lijn/shared/rest';
import { useEffect, useRef, useState } from 'preact/hooks';
import { deleteCanned, saveCanned } from '../api/canned.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { CannedForm, type CannedFormStart } from './CannedForm.tsx';
import { type CannedResponse, cannedLanguages } from './catalogue.ts';
import type { CannedList } from './useCanned.ts';

interface CannedScreenProps {
  canned: CannedList;
  onUnauthorized(): void;
}

const keyOf = (c: CannedResponse) => `${c.id}:${c.language}`;
const emptyItem: CannedResponse = { id: '', language: 'nl', title: '', text: '', keywords: [] };

/**
 * Supervisors and admins manage the canned responses operators insert with `/`: add,
 * edit, translate and delete, per language. Every change is on the server at once and
 * the composer's list is replaced by the answer. Shown only to those the server lets
 * change the list (`canned.editable`); the safety check and the 112 script are offered
 * for editing, never for deletion (the server refuses it).
 */
export function CannedScreen({ canned, onUnauthorized }: CannedScreenProps) {
  const { t } = useI18n();
  const c = t.cannedAdmin;
  const [form, setForm] = useState<CannedFormStart | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const list = [...canned.list].sort(
    (a, b) => a.id.localeCompare(b.id) || a.language.localeCompare(b.language),
  );

  // Who may edit can change (lines, role) while signed in: ask again on opening.
  useEffect(() => {
    void canned.reload();
  }, [canned.reload]);

  const open = (start: CannedFormStart) => {
    setStatus(undefined);
    setConfirming(undefined);
    setForm(start);
  };

  const save = async (item: CannedResponse) => {
    const res = await saveCanned(item);
    if (res.ok) {
      canned.replace(res.data);
      setForm(undefined);
      setStatus({ text: c.saved(item.title), error: false });
      addButton.current?.focus();
      return { ok: true as const };
    }
    if (res.kind === 'unauthorized') onUnauthorized();
    return res;
  };

  const remove = async (item: CannedResponse) => {
    setBusy(true);
    const res = await deleteCanned(item.id, item.language);
    setBusy(false);
    setConfirming(undefined);
    if (res.ok) {
      canned.replace(res.data);
      setStatus({ text: c.deleted(item.title), error: false });
      addButton.current?.focus();
    } else if (res.kind === 'unauthorized') {
      onUnauthorized();
    } else if (res.kind === 'not-found') {
      await canned.reload();
      setStatus({ text: c.alreadyGone, error: true });
    } else if (res.kind === 'conflict') {
      setStatus({ text: c.undeletable, error: true });
    } else {
      setStatus({ text: res.kind === 'forbidden' ? c.forbidden : c.failed, error: true });
    }
  };

  return (
    <div class="screen canned-admin">
      <h1>{c.heading}</h1>
      <p class="hint">{c.intro}</p>
      <p class="hint">{c.protectedHint}</p>
      <div class="buttons">
        <button
          ref={addButton}
          type="button"
          class="primary"
          data-sl="canned-new"
          aria-expanded={form?.mode === 'new'}
          onClick={() => open({ mode: 'new', item: emptyItem })}
        >
          {c.add}
        </button>
      </div>
      <div role="status" class="status-line" data-sl="canned-status">
        {status && <p class={status.error ? 'error' : 'ok'}>{status.text}</p>}
      </div>
      {form && (
        <CannedForm
          key={`${form.mode}-${keyOf(form.item)}`}
          start={form}
          existing={canned.list}
          onSave={save}
          onCancel={() => {
            setForm(undefined);
            addButton.current?.focus();
          }}
        />
      )}
      {!canned.fromServer && <p class="notice">{c.defaultsOnly}</p>}
      <DataTable
        caption={c.heading}
        columns={[c.title, c.language, c.text, c.keywords, c.actions]}
        class="canned-table"
      >
        {list.map((item) => {
          const key = keyOf(item);
          // The first language this response is still missing in, Dutch first.
          const other = cannedLanguages.find(
            (l) => !canned.list.some((x) => x.id === item.id && x.language === l),
          );
          return (
            <tr key={key} data-sl="canned-row" data-canned-id={item.id} data-language={item.language}>
              <th scope="row">
                {item.title}
                <span class="muted ref"> {item.id}</span>
              </th>
              <td>{c.languages[item.language]}</td>
              <td class="canned-cell-text">{item.text}</td>
              <td>{item.keywords.join(', ')}</td>
              <td>
                <div class="buttons">
                  <button
                    type="button"
                    class="small"
                    data-sl="canned-edit"
                    aria-label={c.editLabel(item.title, c.languages[item.language])}
                    onClick={() => open({ mode: 'edit', item })}
                  >
                    {c.edit}
                  </button>
                  {other && (
                    <button
                      type="button"
                      class="small"
                      data-sl="canned-translate"
                      aria-label={c.translateLabel(item.title, c.languages[other])}
                      onClick={() =>
                        open({
                          mode: 'translate',
                          item: { ...item, language: other, title: '', text: '' },
                        })
                      }
                    >
                      {c.translate(c.languages[other])}
                    </button>
                  )}
                  {isUndeletableCanned(item.id) ? (
                    <span class="muted" data-sl="canned-protected">
                      {c.protectedLabel}
                    </span>
                  ) : (
                    <button
                      type="button"
                      class="small"
                      data-sl="canned-delete"
                      aria-expanded={confirming === key}
                      aria-label={c.deleteLabel(item.title, c.languages[item.language])}
                      onClick={() => setConfirming(confirming === key ? undefined : key)}
                    >
                      {c.delete}
                    </button>
                  )}
                </div>
                {confirming === key && (
                  <div class="confirm card">
                    <p id={`canned-delete-question-${key}`}>
                      {c.deleteQuestion(item.title, c.languages[item.language])}
                    </p>
                    <div class="buttons">
                      <button
                        type="button"
                        class="danger"
                        data-sl="canned-delete-confirm"
                        aria-describedby={`canned-delete-question-${key}`}
                        disabled={busy}
                        onClick={() => void remove(item)}
                      >
                        {c.deleteConfirm}
                      </button>
                      <button type="button" onClick={() => setConfirming(undefined)}>
                        {t.actions.cancel}
                      </button>
                    </div>
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
    </div>
  );
}
