import type { LoginBody, OperatorIdentity, OperatorRole } from '@stille-lijn/shared';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AdminScreen } from '../admin/AdminScreen.tsx';
import type { LoginResult } from '../api/http.ts';
import { CannedScreen } from '../canned/CannedScreen.tsx';
import { useCanned } from '../canned/useCanned.ts';
import { ShortcutsDialog } from '../help/ShortcutsDialog.tsx';
import { type ShortcutAction, shortcutFor } from '../help/shortcuts.ts';
import { useI18n } from '../i18n/index.ts';
import { LockScreen } from '../lock/LockScreen.tsx';
import { useScreenLock } from '../lock/useScreenLock.ts';
import { StatusControl } from '../queue/StatusControl.tsx';
import { useReportDesk } from '../report/useReportDesk.ts';
import { AlertSettings } from '../shift/AlertSettings.tsx';
import { BreakScreen } from '../shift/BreakScreen.tsx';
import { pendingCount } from '../shift/background.ts';
import { HandoverDialog } from '../shift/HandoverDialog.tsx';
import { LogoutDialog } from '../shift/LogoutDialog.tsx';
import { SessionNotice } from '../shift/SessionNotice.tsx';
import { useBackgroundAlerts } from '../shift/useBackgroundAlerts.ts';
import { PasswordPanel } from '../signin/PasswordPanel.tsx';
import { usePasswordChange } from '../signin/usePasswordChange.ts';
import { useWorkspace } from '../state/useWorkspace.ts';
import { neighbourId, visibleOrder } from '../state/workspace.ts';
import { AlertBar } from '../supervisor/AlertBar.tsx';
import { SupervisorScreen } from '../supervisor/SupervisorScreen.tsx';
import { WorkspaceScreen } from '../workspace/WorkspaceScreen.tsx';
import { Announcer } from './Announcer.tsx';
import { focusById, focusConversation, focusQueue } from './focus.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';

type View = 'workspace' | 'supervisor' | 'canned' | 'admin';

interface SignedInProps {
  operator: OperatorIdentity;
  /** False when the server did not confirm it: the operator is still signed in. */
  onSignOut(): Promise<boolean>;
  /** Signing in again before the session's absolute limit, without leaving the workspace. */
  onSignIn(body: LoginBody): Promise<LoginResult>;
  /** A refusal as signed out; `checked` when the cookie was read again already (`Session.expire`). */
  onExpired(opts?: { checked?: boolean }): void;
  /** An admin changed this account (role, languages); `operator` is it as it is now. */
  onAccountChanged(operator: OperatorIdentity): void;
  onToggleLanguage(): void;
}

/** Everything behind sign-in: one live workspace, whatever view is on screen. */
export function SignedIn({
  operator,
  onSignOut,
  onSignIn,
  onExpired,
  onAccountChanged,
  onToggleLanguage,
}: SignedInProps) {
  const { t } = useI18n();
  const [accountNotice, setAccountNotice] = useState<{ role: OperatorRole; roleChanged: boolean }>();
  // The workspace signs out only after its own look at the cookie (WorkspaceStore.sessionEnded).
  const { state, commands } = useWorkspace(
    operator,
    () => onExpired({ checked: true }),
    (next) => {
      setAccountNotice({ role: next.role, roleChanged: next.role !== operator.role });
      onAccountChanged(next);
    },
  );
  const canned = useCanned();
  const reportDesk = useReportDesk();
  const [chosenView, setView] = useState<View>('workspace');
  const [helpOpen, setHelpOpen] = useState(false);
  const [handoverOpen, setHandoverOpen] = useState(false);
  const [logoutOpen, setLogoutOpen] = useState(false);
  const [logout, setLogout] = useState<{ busy: boolean; failures: number }>({ busy: false, failures: 0 });
  const screenLock = useScreenLock();
  // After a one-time password: a prompt beside the workspace, never in front of it.
  const password = usePasswordChange();
  const background = useBackgroundAlerts(state);
  const activeCount = state.order.filter(
    (id) => state.conversations[id]?.conversation.state === 'active',
  ).length;
  const canSupervise = operator.role === 'supervisor' || operator.role === 'admin';
  const isAdmin = operator.role === 'admin';
  // The canned list is every line's: its view only for those the server lets change it.
  const views: View[] = [
    'workspace',
    'supervisor',
    ...(canned.editable ? (['canned'] as const) : []),
    ...(isAdmin ? (['admin'] as const) : []),
  ];
  // A view the role no longer allows (after a change of role) falls back to the workspace.
  const view: View = canSupervise && views.includes(chosenView) ? chosenView : 'workspace';

  const latest = useRef({
    state,
    helpOpen: helpOpen || handoverOpen || logoutOpen,
    locked: screenLock.locked,
  });
  latest.current = { state, helpOpen: helpOpen || handoverOpen || logoutOpen, locked: screenLock.locked };

  // Locked: nothing open over the workspace comes back by itself, and unread counts go on.
  useEffect(() => {
    commands.setScreenLocked(screenLock.locked);
    if (!screenLock.locked) return;
    setHelpOpen(false);
    setHandoverOpen(false);
    setLogoutOpen(false);
  }, [screenLock.locked, commands]);

  useEffect(() => {
    const run = (action: ShortcutAction) => {
      const { state: s } = latest.current;
      if (action.kind === 'help') return setHelpOpen(true);
      setView('workspace');
      if (action.kind === 'focus') {
        const target = action.target;
        setTimeout(() => {
          if (target === 'queue') focusQueue();
          else if (target === 'conversations') focusConversation(latest.current.state.selectedId, 'tab');
          else focusById(target === 'composer' ? 'composer' : 'note-input');
        }, 0);
        return;
      }
      const id =
        action.kind === 'select-index' ? visibleOrder(s)[action.index] : neighbourId(s, action.offset);
      if (id === undefined) return;
      commands.select(id);
      setTimeout(() => focusConversation(id, 'composer'), 0);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      if (latest.current.helpOpen || latest.current.locked || e.defaultPrevented) return;
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      run(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [commands]);

  const signOut = async () => {
    if (logout.busy) return;
    setLogout((l) => ({ ...l, busy: true }));
    const confirmed = await onSignOut();
    // Confirmed: this screen is gone. Not: said so, with the button to try again.
    if (!confirmed) setLogout((l) => ({ busy: false, failures: l.failures + 1 }));
  };

  // A sign-in from inside the console (the lock screen, the notice before the session's
  // limit). The operator's own brings this workspace back on the new session; anyone
  // else's replaces it (App keys the signed-in console by operator). Either ends the
  // session this console ran on (the server does, at a sign-in that carries its cookie),
  // which the workspace then expects.
  const own = (result: LoginResult) => result.ok && result.operator.id === operator.id;
  const signInAgain = (body: LoginBody) => commands.renewSession(() => onSignIn(body), own);

  if (screenLock.locked) {
    const unlock = async (body: LoginBody): Promise<LoginResult> => {
      const result = await signInAgain(body);
      if (own(result)) {
        screenLock.unlock();
        setTimeout(() => {
          if (view === 'workspace') focusConversation(latest.current.state.selectedId, 'composer');
          else focusById('main');
        }, 0);
      }
      return result;
    };
    return (
      <LockScreen
        displayName={operator.displayName}
        pending={pendingCount(state)}
        onSignIn={unlock}
        onToggleLanguage={onToggleLanguage}
      />
    );
  }

  return (
    <>
      <button type="button" class="skip-link" onClick={() => focusById('main')}>
        {t.app.skipToMain}
      </button>
      <header class="app-header">
        <p class="brand">{t.app.name}</p>
        {canSupervise && (
          <nav aria-label={t.app.navLabel} class="views">
            <ul>
              {views.map((v) => (
                <li key={v}>
                  <button
                    type="button"
                    data-sl={`view-${v}`}
                    aria-current={view === v ? 'page' : undefined}
                    onClick={() => setView(v)}
                  >
                    {t.app.nav[v]}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <StatusControl
          status={state.status}
          load={state.load}
          capacity={state.capacity}
          online={state.connection === 'online'}
          onChange={commands.setStatus}
        />
        <div class="header-tools">
          <AlertSettings alerts={background} />
          <button
            type="button"
            class="link-button"
            aria-keyshortcuts="Alt+H"
            onClick={() => setHelpOpen(true)}
          >
            {t.app.help}
          </button>
          <LanguageSwitch onToggle={onToggleLanguage} />
          <p class="who">
            <span class="sr-only">{t.app.signedInLabel} </span>
            {t.app.signedInAs(operator.displayName, t.operatorRoles[operator.role])}
          </p>
          <button
            type="button"
            class="link-button"
            data-sl="password-change-open"
            data-due={password.due === undefined ? undefined : String(password.due)}
            onClick={password.openForm}
          >
            {t.password.open}
          </button>
          <button type="button" data-sl="handover-open" onClick={() => setHandoverOpen(true)}>
            {t.shift.handoverOpen}
          </button>
          <button type="button" data-sl="lock" onClick={screenLock.lock}>
            {t.app.lock}
          </button>
          <button
            type="button"
            data-sl="logout"
            aria-busy={logout.busy}
            onClick={() => (activeCount > 0 ? setLogoutOpen(true) : void signOut())}
          >
            {logout.busy ? t.app.logoutBusy : t.app.logout}
          </button>
        </div>
      </header>
      {logout.failures > 0 && !logout.busy && (
        <p key={logout.failures} class="connection-banner" role="alert" data-sl="logout-failed">
          {t.app.logoutFailed}
        </p>
      )}
      <SessionNotice expiresAt={state.sessionExpiresAt} onSignIn={signInAgain} />
      {password.panel !== 'hidden' && (
        <PasswordPanel
          prompt={password.due === true}
          formOpen={password.panel === 'form'}
          onOpenForm={password.openForm}
          onClose={password.close}
          onChanged={password.done}
          onUnauthorized={onExpired}
          renewSession={commands.renewSession}
        />
      )}
      {password.changed && (
        <p class="account-notice" role="status" data-sl="password-changed">
          {t.password.changed}{' '}
          <button
            type="button"
            class="link-button"
            data-sl="password-changed-close"
            onClick={password.dismissNotice}
          >
            {t.password.changedDismiss}
          </button>
        </p>
      )}
      {accountNotice && (
        <p class="account-notice" role="status" data-sl="account-notice" data-role={accountNotice.role}>
          {accountNotice.roleChanged
            ? t.app.accountChanged.role(t.operatorRoles[accountNotice.role])
            : t.app.accountChanged.other}{' '}
          <button
            type="button"
            class="link-button"
            data-sl="account-notice-close"
            onClick={() => setAccountNotice(undefined)}
          >
            {t.app.accountChanged.dismiss}
          </button>
        </p>
      )}
      {state.connection !== 'online' && (
        <p class="connection-banner" role="status" data-sl="connection" data-connection={state.connection}>
          {state.connection === 'offline'
            ? t.app.connection.offline
            : state.connection === 'too-many'
              ? t.app.connection.tooMany
              : t.app.connection.connecting}
        </p>
      )}
      {canSupervise && (
        <AlertBar
          alerts={state.alerts}
          unseen={state.alertsUnseen}
          onSeen={commands.alertsSeen}
          onOpen={(alert) => {
            commands.alertsSeen();
            setView('supervisor');
            if (alert.kind === 'acute-danger' && alert.conversationId !== undefined) {
              void commands.monitor(alert.conversationId);
            } else {
              setTimeout(() => document.getElementById('reports-heading')?.scrollIntoView(), 0);
            }
          }}
        />
      )}
      <Announcer state={state} />
      <main id="main" tabIndex={-1} class={`view-${view}`}>
        {view === 'workspace' && state.status === 'break' && (
          <BreakScreen
            breakUntil={state.breakUntil}
            onEnd={() => commands.setStatus('available')}
            onDebrief={commands.debrief}
          />
        )}
        {view === 'workspace' && (
          <WorkspaceScreen
            state={state}
            canned={canned.list}
            commands={commands}
            reports={reportDesk}
            onUnauthorized={onExpired}
          />
        )}
        {view === 'supervisor' && canSupervise && (
          <SupervisorScreen state={state} commands={commands} onUnauthorized={onExpired} />
        )}
        {view === 'canned' && canSupervise && <CannedScreen canned={canned} onUnauthorized={onExpired} />}
        {view === 'admin' && isAdmin && <AdminScreen selfId={operator.id} onUnauthorized={onExpired} />}
      </main>
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      {/* Mounted only while open: a closed dialog leaves no form fields in the page. */}
      {handoverOpen && (
        <HandoverDialog
          open={handoverOpen}
          selfId={operator.id}
          activeCount={activeCount}
          onHandover={commands.handover}
          onClose={() => setHandoverOpen(false)}
          onUnauthorized={onExpired}
        />
      )}
      {logoutOpen && (
        <LogoutDialog
          open={logoutOpen}
          activeCount={activeCount}
          onHandover={() => {
            setLogoutOpen(false);
            setHandoverOpen(true);
          }}
          onSignOut={() => {
            setLogoutOpen(false);
            void signOut();
          }}
          onClose={() => setLogoutOpen(false)}
        />
      )}
    </>
  );
}
