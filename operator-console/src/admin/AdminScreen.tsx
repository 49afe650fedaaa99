import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  type Account,
  createAccount,
  fetchAccounts,
  resetAccountPassword,
  setAccountDisabled,
  updateAccount,
} from '../api/admin.ts';
import { fetchLines, type StaffLine } from '../api/figures.ts';
import type { ApiFailure } from '../api/rest.ts';
import { fetchCapacities, setAccountCapacity } from '../api/shift.ts';
import { useI18n } from '../i18n/index.ts';
import { DataTable } from '../lib/DataTable.tsx';
import { AccountForm, type AccountFormValues, linesChoice } from './AccountForm.tsx';
import { OneTimePassword } from './OneTimePassword.tsx';

interface AdminScreenProps {
  /** The signed-in administrator: they cannot disable themself or change their own role here. */
  selfId: string;
  onUnauthorized(): void;
}

type Confirm = { accountId: string; action: 'disable' | 'reset' };
type Shown = { username: string; password: string; reason: 'new' | 'reset' };

/**
 * Operator accounts, with the rules of `npm run operator`: list, add (a one-time password
 * shown once), change name, role and languages, disable and enable, reset the password.
 * Disabling and resetting ask for confirmation first; both end the account's sessions.
 * An account whose TOTP step is locked is named above the list with the remedy: its
 * sign-ins fail like a forgotten password's, so this is where an admin tells them apart.
 */
export function AdminScreen({ selfId, onUnauthorized }: AdminScreenProps) {
  const { t } = useI18n();
  const a = t.admin;
  const [accounts, setAccounts] = useState<Account[] | undefined>(undefined);
  const [loadFailed, setLoadFailed] = useState<ApiFailure | undefined>(undefined);
  const [form, setForm] = useState<'add' | { edit: string } | undefined>(undefined);
  const [confirm, setConfirm] = useState<Confirm | undefined>(undefined);
  const [shown, setShown] = useState<Shown | undefined>(undefined);
  const [status, setStatus] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  /** Accounts' own capacities (version 2); an account without one has the server's default. */
  const [capacities, setCapacities] = useState<Record<string, number>>({});
  /** The deployment's lines (version 2); with one line there is nothing to choose. */
  const [lines, setLines] = useState<StaffLine[]>([]);
  const addButton = useRef<HTMLButtonElement>(null);

  const load = useCallback(async () => {
    void fetchCapacities().then((c) => {
      if (c.ok) setCapacities(c.data);
    });
    void fetchLines().then((l) => {
      if (l.ok) setLines(l.data);
    });
    const res = await fetchAccounts();
    if (res.ok) {
      setAccounts(res.data);
      setLoadFailed(undefined);
    } else if (res.kind === 'unauthorized') {
      onUnauthorized();
    } else {
      setLoadFailed(res.kind);
    }
  }, [onUnauthorized]);

  useEffect(() => {
    void load();
  }, [load]);

  const replace = (account: Account) =>
    setAccounts((list) => list?.map((x) => (x.id === account.id ? account : x)) ?? [account]);

  const failed = (kind: ApiFailure) => {
    if (kind === 'unauthorized') onUnauthorized();
    return { ok: false as const, kind, fields: [] };
  };

  /** The lines field of the account form, when the deployment has several lines. */
  const linesField =
    lines.length > 1 ? (initial: string[] | undefined) => ({ all: lines, initial }) : undefined;
  /** An account's lines as the form compares them (unset: the first line). */
  const storedLines = (account: Account) => {
    const c = linesChoice({ all: lines, initial: account.lines });
    return c.every ? ['*'] : c.picked;
  };

  const add = async (values: AccountFormValues) => {
    const res = await createAccount(values);
    if (!res.ok) return res.kind === 'unauthorized' ? failed(res.kind) : res;
    setAccounts((list) =>
      [...(list ?? []), res.data.account].sort((x, y) => x.username.localeCompare(y.username)),
    );
    setForm(undefined);
    setStatus(undefined);
    setShown({ username: res.data.account.username, password: res.data.password, reason: 'new' });
    return { ok: true as const };
  };

  const edit = async (account: Account, values: AccountFormValues) => {
    const change = {
      ...(values.displayName !== account.displayName ? { displayName: values.displayName } : {}),
      ...(values.role !== account.role && account.id !== selfId ? { role: values.role } : {}),
      ...(values.languages.join() !== account.languages.join() ? { languages: values.languages } : {}),
      ...(values.lines !== undefined && values.lines.join() !== storedLines(account).join()
        ? { lines: values.lines }
        : {}),
    };
    const capacity = values.capacity !== capacities[account.id] ? values.capacity : undefined;
    if (Object.keys(change).length === 0 && capacity === undefined) {
      setForm(undefined);
      return { ok: true as const };
    }
    if (Object.keys(change).length > 0) {
      const res = await updateAccount(account.id, change);
      if (!res.ok) return res.kind === 'unauthorized' ? failed(res.kind) : res;
      replace(res.data);
    }
    if (capacity !== undefined) {
      const res = await setAccountCapacity(account.id, capacity);
      if (!res.ok) return res.kind === 'unauthorized' ? failed(res.kind) : res;
      setCapacities((c) => ({ ...c, [account.id]: res.data }));
    }
    setForm(undefined);
    setStatus({ text: a.saved(account.username), error: false });
    return { ok: true as const };
  };

  const act = async (account: Account, action: 'disable' | 'enable' | 'reset') => {
    setBusy(true);
    setStatus(undefined);
    if (action === 'reset') {
      const res = await resetAccountPassword(account.id);
      setBusy(false);
      setConfirm(undefined);
      if (res.ok) {
        // A reset lifts a TOTP lock (docs/protocol.md, "TOTP lock").
        replace({ ...account, totpLocked: false });
        setShown({ username: account.username, password: res.data, reason: 'reset' });
      } else if (res.kind === 'unauthorized') {
        onUnauthorized();
      } else {
        setStatus({ text: a.errors.failed, error: true });
      }
      return;
    }
    const res = await setAccountDisabled(account.id, action === 'disable');
    setBusy(false);
    setConfirm(undefined);
    if (res.ok) {
      replace(res.data);
      setStatus({
        text: action === 'disable' ? a.disabledDone(account.username) : a.enabledDone(account.username),
        error: false,
      });
    } else if (res.kind === 'unauthorized') {
      onUnauthorized();
    } else {
      setStatus({ text: res.reason === 'own_account' ? a.errors.selfDisable : a.errors.failed, error: true });
    }
  };

  const editing = typeof form === 'object' ? accounts?.find((x) => x.id === form.edit) : undefined;
  const totpLocked = accounts?.filter((x) => x.totpLocked) ?? [];
  const dateFormat = new Intl.DateTimeFormat(t.locale, { dateStyle: 'medium' });
  const created = (iso: string) => {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? '' : dateFormat.format(at);
  };

  return (
    <div class="screen admin">
      <h1>{a.heading}</h1>
      <section class="panel" aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">{a.accounts}</h2>
        <div class="buttons">
          <button
            ref={addButton}
            type="button"
            class="primary"
            data-sl="account-add"
            aria-expanded={form === 'add'}
            onClick={() => {
              setStatus(undefined);
              setForm(form === 'add' ? undefined : 'add');
            }}
          >
            {a.add}
          </button>
        </div>
        {shown && (
          <OneTimePassword
            username={shown.username}
            password={shown.password}
            reason={shown.reason}
            onDone={() => {
              setShown(undefined);
              addButton.current?.focus();
            }}
          />
        )}
        <div role="status" class="status-line" data-sl="admin-status">
          {status && <p class={status.error ? 'error' : 'ok'}>{status.text}</p>}
        </div>
        {form === 'add' && (
          <AccountForm
            mode="add"
            initial={{ username: '', displayName: '', role: 'operator', languages: ['nl', 'en'] }}
            {...(linesField ? { linesField: linesField(undefined) } : {})}
            onSubmit={add}
            onCancel={() => {
              setForm(undefined);
              addButton.current?.focus();
            }}
          />
        )}
        {loadFailed !== undefined && (
          <p class="error" role="alert">
            {loadFailed === 'forbidden' ? a.errors.forbidden : a.errors.loadFailed}
          </p>
        )}
        {accounts === undefined && loadFailed === undefined && <p role="status">{t.app.loading}</p>}
        {totpLocked.length > 0 && (
          <div class="notice" data-sl="totp-locked-notice">
            <p>
              <strong>{a.totpLockedNotice(totpLocked.length)}</strong>
            </p>
            <ul>
              {totpLocked.map((acc) => (
                <li key={acc.id} data-username={acc.username}>
                  {a.totpLockedRemedy(acc.username)}
                </li>
              ))}
            </ul>
            <p>{a.totpLockedWhy}</p>
          </div>
        )}
        {accounts && (
          <DataTable
            caption={a.accounts}
            columns={[a.username, a.displayName, a.role, a.languages, a.state, a.totp, a.created, a.actions]}
            class="accounts-table"
          >
            {accounts.map((acc) => {
              const self = acc.id === selfId;
              const isEditing = editing?.id === acc.id;
              const asking = confirm?.accountId === acc.id ? confirm.action : undefined;
              const questionId = `account-confirm-${acc.id}`;
              return (
                <tr
                  key={acc.id}
                  class={acc.disabled ? 'is-disabled' : undefined}
                  data-sl="account-row"
                  data-operator-id={acc.id}
                  data-username={acc.username}
                  data-role={acc.role}
                  data-disabled={String(acc.disabled)}
                  data-totp-locked={String(acc.totpLocked)}
                >
                  <th scope="row">
                    {acc.username}
                    {self && <span class="muted"> {a.you}</span>}
                  </th>
                  <td>{acc.displayName}</td>
                  <td>{t.operatorRoles[acc.role]}</td>
                  <td data-sl="account-languages">{acc.languages.map((l) => t.languages[l]).join(', ')}</td>
                  <td>{acc.disabled ? a.disabled : a.enabled}</td>
                  <td>
                    {acc.totpLocked ? (
                      <span class="badge badge-urgent" data-sl="account-totp-locked">
                        {a.totpLocked}
                      </span>
                    ) : acc.totpEnabled ? (
                      a.totpOn
                    ) : (
                      a.totpOff
                    )}
                  </td>
                  <td>{created(acc.createdAt)}</td>
                  <td>
                    <div class="buttons">
                      <button
                        type="button"
                        class="small"
                        data-sl="account-edit"
                        aria-expanded={isEditing}
                        aria-label={a.editLabel(acc.username)}
                        onClick={() => {
                          setStatus(undefined);
                          setForm(isEditing ? undefined : { edit: acc.id });
                        }}
                      >
                        {a.edit}
                      </button>
                      {acc.disabled ? (
                        <button
                          type="button"
                          class="small"
                          data-sl="account-enable"
                          disabled={busy}
                          aria-label={a.enableLabel(acc.username)}
                          onClick={() => void act(acc, 'enable')}
                        >
                          {a.enable}
                        </button>
                      ) : (
                        !self && (
                          <button
                            type="button"
                            class="small"
                            data-sl="account-disable"
                            aria-expanded={asking === 'disable'}
                            aria-label={a.disableLabel(acc.username)}
                            onClick={() =>
                              setConfirm(
                                asking === 'disable' ? undefined : { accountId: acc.id, action: 'disable' },
                              )
                            }
                          >
                            {a.disable}
                          </button>
                        )
                      )}
                      <button
                        type="button"
                        class="small"
                        data-sl="account-reset"
                        aria-expanded={asking === 'reset'}
                        aria-label={a.resetLabel(acc.username)}
                        onClick={() =>
                          setConfirm(asking === 'reset' ? undefined : { accountId: acc.id, action: 'reset' })
                        }
                      >
                        {a.reset}
                      </button>
                    </div>
                    {asking && (
                      <div class="confirm card">
                        <p id={questionId}>
                          {asking === 'disable'
                            ? a.confirmDisable(acc.username)
                            : a.confirmReset(acc.username)}
                        </p>
                        <div class="buttons">
                          <button
                            type="button"
                            class="danger"
                            data-sl="account-confirm"
                            aria-describedby={questionId}
                            disabled={busy}
                            onClick={() => void act(acc, asking)}
                          >
                            {asking === 'disable' ? a.disableConfirm : a.resetConfirm}
                          </button>
                          <button type="button" onClick={() => setConfirm(undefined)}>
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
        )}
        {editing && (
          <AccountForm
            key={editing.id}
            mode="edit"
            self={editing.id === selfId}
            capacityField={{ initial: capacities[editing.id] }}
            {...(linesField ? { linesField: linesField(editing.lines) } : {})}
            initial={{
              username: editing.username,
              displayName: editing.displayName,
              role: editing.role,
              languages: editing.languages,
            }}
            onSubmit={(values) => edit(editing, values)}
            onCancel={() => setForm(undefined)}
          />
        )}
      </section>
    </div>
  );
}
