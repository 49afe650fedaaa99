import { type Language, type ViolenceKind, violenceKinds, visitorRoles } from '@stille-lijn/shared';
import { regions } from '@stille-lijn/shared/domain/regions';
import {
  allegedRelations,
  consentReasons,
  consentStatuses,
  contactMethods,
  dangerLevels,
  genders,
  MAX_SUMMARY_LENGTH,
  type ReportStatus,
} from '@stille-lijn/shared/domain/report';
import { useRef, useState } from 'preact/hooks';
import { type ConfiguredRegion, submitReport } from '../api/reports.ts';
import { catalogues, useI18n } from '../i18n/index.ts';
import { newClientMessageId } from '../lib/ids.ts';
import { formatClock } from '../lib/time.ts';
import type { AcuteState, ChatMessage } from '../state/workspace.ts';
import {
  type ChildDraft,
  draftErrors,
  formField,
  hasWithheldIdentifying,
  inFormOrder,
  mayIdentify,
  type ReportContext,
  type ReportDraft,
  toSubmission,
} from './draft.ts';
import {
  errorText,
  FieldError,
  type FieldState,
  fieldId,
  fieldLabel,
  invalidProps,
  TextField,
} from './fields.tsx';

interface ReportFormProps {
  conversationId: string;
  /** The visitor's language, for the consent message. */
  language: Language;
  draft: ReportDraft;
  ctx: ReportContext;
  /** The 112 script's answers, when acute danger was marked. */
  acute: AcuteState | undefined;
  messages: readonly ChatMessage[];
  /** Where reports can go; undefined while unknown (then every region is offered). */
  regions: readonly ConfiguredRegion[] | undefined;
  onChange(draft: ReportDraft): void;
  onInsert(text: string): void;
  onSubmitted(status: ReportStatus): void;
  onUnauthorized(): void;
}

/** The consent question for the visitor, in their language (Dutch for a language without its own text). */
export function consentMessage(language: Language): string {
  return catalogues[language === 'en' ? 'en' : 'nl'].report.consent.message;
}

type Failure = 'forbidden' | 'conflict' | 'rate-limited' | 'unavailable' | 'not-found';

/**
 * The report to Veilig Thuis. Consent comes first, with a ready question for the visitor;
 * names and contact details can only be filled in with consent or in acute danger. The
 * draft is checked with the shared schema and consent rules before it is sent, and the
 * server's 400 `fields` are shown on the same fields.
 */
export function ReportForm({
  conversationId,
  language,
  draft,
  ctx,
  acute,
  messages,
  regions: configured,
  onChange,
  onInsert,
  onSubmitted,
  onUnauthorized,
}: ReportFormProps) {
  const { t } = useI18n();
  const r = t.report;
  const [tried, setTried] = useState(false);
  const [serverFields, setServerFields] = useState<string[]>([]);
  const [failure, setFailure] = useState<Failure | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [inserted, setInserted] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const configuredIds = configured?.map((c) => c.id);
  const identify = mayIdentify(draft, ctx);
  const clientErrors = tried ? draftErrors(draft, ctx, configuredIds) : [];
  const shownErrors = inFormOrder([...new Set([...clientErrors, ...serverFields])]);
  const state: FieldState = { errors: new Set(shownErrors), identifyAllowed: identify };
  const set = (change: Partial<ReportDraft>) => {
    setServerFields([]);
    onChange({ ...draft, ...change });
  };
  const quotable = messages.filter(
    (m): m is ChatMessage & { messageId: string } =>
      m.messageId !== undefined && m.status === 'sent' && m.from !== 'system',
  );
  const agreed = draft.consentStatus === 'agreed';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setTried(true);
    setFailure(undefined);
    setServerFields([]);
    const errors = draftErrors(draft, ctx, configuredIds);
    if (errors.length > 0 || draft.region === '') {
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    setBusy(true);
    const region = draft.region;
    const res = await submitReport(conversationId, toSubmission(draft, ctx), draft.idempotencyKey);
    setBusy(false);
    if (res.ok) {
      onSubmitted({
        reportId: res.data.reportId,
        conversationId,
        region,
        status: 'queued',
        attempts: 0,
        createdAt: new Date().toISOString(),
      });
      return;
    }
    if (res.kind === 'unauthorized') return onUnauthorized();
    if (res.kind === 'invalid') {
      setServerFields(res.fields.length > 0 ? [...new Set(res.fields.map(formField))] : ['other']);
      // A changed body must not be taken for a repeat of the refused one.
      onChange({ ...draft, idempotencyKey: newClientMessageId() });
    } else {
      setFailure(res.kind);
    }
    setTimeout(() => summaryRef.current?.focus(), 0);
  };

  const radio = <V extends string>(
    name: string,
    field: string,
    value: V,
    current: string,
    label: string,
    onPick: (v: V) => void,
  ) => (
    <label class="choice" key={value}>
      <input
        type="radio"
        name={name}
        value={value}
        data-sl={`${name}-${value}`}
        checked={current === value}
        aria-describedby={state.errors.has(field) ? `${fieldId(field)}-error` : undefined}
        onChange={() => onPick(value)}
      />
      {label}
    </label>
  );

  const setChild = (index: number, change: Partial<ChildDraft>) =>
    set({ children: draft.children.map((c, i) => (i === index ? { ...c, ...change } : c)) });
  const toggleKind = (kind: ViolenceKind, on: boolean) =>
    set({ kinds: violenceKinds.filter((k) => (k === kind ? on : draft.kinds.includes(k))) });
  const toggleExcerpt = (messageId: string, on: boolean) =>
    set({
      excerptIds: on ? [...draft.excerptIds, messageId] : draft.excerptIds.filter((id) => id !== messageId),
    });

  const risk = ctx.risk;
  const consentText = consentMessage(language);

  return (
    <form class="report-form" onSubmit={submit} noValidate data-sl="report-form">
      <div
        ref={summaryRef}
        tabIndex={-1}
        role="alert"
        class={shownErrors.length > 0 || failure ? 'error-summary' : 'error-slot'}
        data-sl="report-errors"
      >
        {shownErrors.length > 0 && (
          <>
            <h3>{r.errorsHeading}</h3>
            <ul>
              {shownErrors.map((field) => (
                <li key={field}>
                  {field === 'other' ? (
                    r.errors.other
                  ) : (
                    <a
                      href={`#${fieldId(field)}`}
                      onClick={(e) => {
                        e.preventDefault();
                        document.getElementById(fieldId(field))?.focus();
                      }}
                    >
                      {fieldLabel(t, field)}: {errorText(t, field, identify)}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
        {failure && <p class="error">{r.failures[failure]}</p>}
      </div>

      {ctx.acute && (
        <section
          class="acute card report-acute"
          aria-labelledby="report-acute-heading"
          data-sl="report-acute"
        >
          <h3 id="report-acute-heading">{r.acute.heading}</h3>
          <p>{r.acute.intro}</p>
          <p class="hint">{r.acute.script}</p>
          <ol class="acute-steps" data-sl="report-112-script">
            <li>{t.acute.steps.location}</li>
            <li>{t.acute.steps.consent}</li>
            <li>{t.acute.steps.call}</li>
          </ol>
          <p>
            {acute?.location ? r.acute.location(acute.location) : r.acute.noLocation}{' '}
            {
              r.acute.consent[
                acute?.consentToCall112 === undefined ? 'unknown' : acute.consentToCall112 ? 'yes' : 'no'
              ]
            }
          </p>
          <FieldError field="acuteDanger" state={state} />
        </section>
      )}

      <fieldset class="report-section" data-sl="report-consent">
        <legend>{r.consent.legend}</legend>
        <p class="hint">{r.consent.intro}</p>
        <figure class="consent-message">
          <figcaption>{r.consent.messageLabel(t.languages[language])}</figcaption>
          <blockquote lang={language === 'en' ? 'en' : 'nl'} data-sl="report-consent-message">
            {consentText}
          </blockquote>
        </figure>
        <button
          type="button"
          class="small"
          data-sl="report-consent-insert"
          onClick={() => {
            onInsert(consentText);
            setInserted(true);
          }}
        >
          {r.consent.insert}
        </button>
        <p class="hint" role="status">
          {inserted ? r.consent.inserted : ''}
        </p>
        <fieldset id={fieldId('consent.status')} tabIndex={-1} class="choices">
          <legend>{r.fields['consent.status']}</legend>
          {consentStatuses.map((s) =>
            radio('report-consent', 'consent.status', s, draft.consentStatus, r.consent.statuses[s], (v) =>
              set({ consentStatus: v }),
            ),
          )}
          <FieldError field="consent.status" state={state} />
        </fieldset>
        {draft.consentStatus !== '' && !agreed && (
          <>
            <div class="field">
              <label for={fieldId('consent.reason')}>{r.fields['consent.reason']}</label>
              <select
                id={fieldId('consent.reason')}
                data-sl="report-consent-reason"
                value={draft.consentReason}
                {...invalidProps('consent.reason', state, 'report-consent-reason-hint')}
                onChange={(e) =>
                  set({ consentReason: e.currentTarget.value as ReportDraft['consentReason'] })
                }
              >
                <option value="">{r.choose}</option>
                {consentReasons.map((reason) => (
                  <option key={reason} value={reason}>
                    {r.consent.reasons[reason]}
                  </option>
                ))}
              </select>
              <p id="report-consent-reason-hint" class="hint">
                {r.consent.reasonHint}
              </p>
              <FieldError field="consent.reason" state={state} />
            </div>
            <TextField
              field="consent.reasonText"
              label={r.fields['consent.reasonText']}
              value={draft.consentReasonText}
              state={state}
              multiline
              onInput={(v) => set({ consentReasonText: v })}
            />
          </>
        )}
      </fieldset>

      <fieldset class="report-section">
        <legend>{r.sections.reporter}</legend>
        <div class="field">
          <label for={fieldId('reporter.role')}>{r.fields['reporter.role']}</label>
          <select
            id={fieldId('reporter.role')}
            data-sl="report-reporter-role"
            value={draft.reporterRole}
            {...invalidProps('reporter.role', state)}
            onChange={(e) => set({ reporterRole: e.currentTarget.value as ReportDraft['reporterRole'] })}
          >
            {visitorRoles.map((role) => (
              <option key={role} value={role}>
                {t.visitorRoles[role]}
              </option>
            ))}
          </select>
          <FieldError field="reporter.role" state={state} />
        </div>
        <TextField
          field="reporter.relation"
          label={r.fields['reporter.relation']}
          value={draft.reporterRelation}
          state={state}
          onInput={(v) => set({ reporterRelation: v })}
        />
        {identify && (
          <>
            <TextField
              field="reporter.name"
              label={r.fields['reporter.name']}
              value={draft.reporterName}
              state={state}
              identifying
              onInput={(v) => set({ reporterName: v })}
            />
            <TextField
              field="reporter.phone"
              label={r.fields['reporter.phone']}
              value={draft.reporterPhone}
              state={state}
              identifying
              type="tel"
              inputMode="tel"
              onInput={(v) => set({ reporterPhone: v })}
            />
            <TextField
              field="reporter.email"
              label={r.fields['reporter.email']}
              value={draft.reporterEmail}
              state={state}
              identifying
              type="email"
              inputMode="email"
              onInput={(v) => set({ reporterEmail: v })}
            />
          </>
        )}
        {!identify && (
          <p class="notice" data-sl="report-identifying-locked">
            {r.identifying.locked}
          </p>
        )}
        {hasWithheldIdentifying(draft, ctx) && (
          <p class="notice" data-sl="report-identifying-withheld">
            {r.identifying.withheld}
          </p>
        )}
      </fieldset>

      <fieldset class="report-section">
        <legend>{r.sections.people}</legend>
        <fieldset>
          <legend>{r.people.victim}</legend>
          <TextField
            field="people.victim.age"
            label={r.fields['people.victim.age']}
            value={draft.victimAge}
            state={state}
            inputMode="numeric"
            onInput={(v) => set({ victimAge: v })}
          />
          <div class="field">
            <label for={fieldId('people.victim.gender')}>{r.fields['people.victim.gender']}</label>
            <select
              id={fieldId('people.victim.gender')}
              data-sl="report-people-victim-gender"
              value={draft.victimGender}
              onChange={(e) => set({ victimGender: e.currentTarget.value as ReportDraft['victimGender'] })}
            >
              <option value="">{r.notFilledIn}</option>
              {genders.map((g) => (
                <option key={g} value={g}>
                  {r.people.genders[g]}
                </option>
              ))}
            </select>
          </div>
          <TextField
            field="people.victim.municipality"
            label={r.fields['people.victim.municipality']}
            value={draft.victimMunicipality}
            state={state}
            onInput={(v) => set({ victimMunicipality: v })}
          />
          {identify && (
            <>
              <TextField
                field="people.victim.name"
                label={r.fields['people.victim.name']}
                value={draft.victimName}
                state={state}
                identifying
                onInput={(v) => set({ victimName: v })}
              />
              <TextField
                field="people.victim.address"
                label={r.fields['people.victim.address']}
                value={draft.victimAddress}
                state={state}
                identifying
                onInput={(v) => set({ victimAddress: v })}
              />
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>{r.people.alleged}</legend>
          <div class="field">
            <label for={fieldId('people.alleged.relation')}>{r.fields['people.alleged.relation']}</label>
            <select
              id={fieldId('people.alleged.relation')}
              data-sl="report-people-alleged-relation"
              value={draft.allegedRelation}
              onChange={(e) =>
                set({ allegedRelation: e.currentTarget.value as ReportDraft['allegedRelation'] })
              }
            >
              <option value="">{r.notFilledIn}</option>
              {allegedRelations.map((rel) => (
                <option key={rel} value={rel}>
                  {r.people.relations[rel]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={fieldId('people.alleged.livesWithVictim')}>
              {r.fields['people.alleged.livesWithVictim']}
            </label>
            <select
              id={fieldId('people.alleged.livesWithVictim')}
              data-sl="report-people-alleged-lives-with"
              value={draft.allegedLivesWithVictim}
              onChange={(e) =>
                set({
                  allegedLivesWithVictim: e.currentTarget.value as ReportDraft['allegedLivesWithVictim'],
                })
              }
            >
              <option value="">{r.notFilledIn}</option>
              <option value="yes">{r.yes}</option>
              <option value="no">{r.no}</option>
            </select>
          </div>
          {identify && (
            <TextField
              field="people.alleged.name"
              label={r.fields['people.alleged.name']}
              value={draft.allegedName}
              state={state}
              identifying
              onInput={(v) => set({ allegedName: v })}
            />
          )}
        </fieldset>
        <fieldset id={fieldId('people.children')} tabIndex={-1}>
          <legend>{r.fields['people.children']}</legend>
          {draft.children.length === 0 && <p class="muted">{r.people.noChildren}</p>}
          {draft.children.map((child, i) => (
            <div class="child" key={child.key} data-sl="report-child">
              <TextField
                field={`people.children.${i}.age`}
                label={r.people.childAge(i + 1)}
                value={child.age}
                state={state}
                inputMode="numeric"
                onInput={(v) => setChild(i, { age: v })}
              />
              {identify && (
                <TextField
                  field={`people.children.${i}.name`}
                  label={r.people.childName(i + 1)}
                  value={child.name}
                  state={state}
                  identifying
                  onInput={(v) => setChild(i, { name: v })}
                />
              )}
              <button
                type="button"
                class="small"
                onClick={() => set({ children: draft.children.filter((_, j) => j !== i) })}
              >
                {r.people.removeChild(i + 1)}
              </button>
            </div>
          ))}
          <button
            type="button"
            class="small"
            data-sl="report-child-add"
            onClick={() =>
              set({ children: [...draft.children, { key: newClientMessageId(), age: '', name: '' }] })
            }
          >
            {r.people.addChild}
          </button>
          <FieldError field="people.children" state={state} />
        </fieldset>
      </fieldset>

      <fieldset class="report-section">
        <legend>{r.sections.violence}</legend>
        <fieldset id={fieldId('violence.kinds')} tabIndex={-1}>
          <legend>{r.fields['violence.kinds']}</legend>
          {violenceKinds.map((kind) => (
            <label class="choice" key={kind}>
              <input
                type="checkbox"
                data-sl="report-kind"
                data-kind={kind}
                checked={draft.kinds.includes(kind)}
                onChange={(e) => toggleKind(kind, e.currentTarget.checked)}
              />
              {t.tags.kinds[kind]}
            </label>
          ))}
          <FieldError field="violence.kinds" state={state} />
        </fieldset>
        <fieldset id={fieldId('violence.danger')} tabIndex={-1} class="choices">
          <legend>{r.fields['violence.danger']}</legend>
          {dangerLevels.map((d) =>
            radio('report-danger', 'violence.danger', d, draft.danger, r.dangers[d], (v) =>
              set({ danger: v }),
            ),
          )}
          <FieldError field="violence.danger" state={state} />
        </fieldset>
        <TextField
          field="violence.pattern"
          label={r.fields['violence.pattern']}
          value={draft.pattern}
          state={state}
          multiline
          onInput={(v) => set({ pattern: v })}
        />
        <TextField
          field="violence.since"
          label={r.fields['violence.since']}
          value={draft.since}
          state={state}
          onInput={(v) => set({ since: v })}
        />
      </fieldset>

      <fieldset class="report-section" id={fieldId('risk')} tabIndex={-1}>
        <legend>{r.fields.risk}</legend>
        {risk === undefined || Object.keys(risk.answers).length === 0 ? (
          <p class="muted">{r.riskNone}</p>
        ) : (
          <>
            <p>{r.riskSummary(t.risk.levels[risk.level], risk.score)}</p>
            <label class="choice">
              <input
                type="checkbox"
                data-sl="report-include-risk"
                checked={draft.includeRisk}
                onChange={(e) => set({ includeRisk: e.currentTarget.checked })}
              />
              {r.riskInclude}
            </label>
          </>
        )}
        <FieldError field="risk" state={state} />
      </fieldset>

      <fieldset class="report-section">
        <legend>{r.sections.contact}</legend>
        <fieldset id={fieldId('contact.method')} tabIndex={-1} class="choices">
          <legend>{r.fields['contact.method']}</legend>
          {contactMethods.map((m) =>
            radio('report-contact', 'contact.method', m, draft.contactMethod, r.contactMethods[m], (v) =>
              set({ contactMethod: v }),
            ),
          )}
          <FieldError field="contact.method" state={state} />
        </fieldset>
        <TextField
          field="contact.safeTimes"
          label={r.fields['contact.safeTimes']}
          value={draft.safeTimes}
          state={state}
          hint={r.safeTimesHint}
          onInput={(v) => set({ safeTimes: v })}
        />
        <TextField
          field="contact.notes"
          label={r.fields['contact.notes']}
          value={draft.contactNotes}
          state={state}
          multiline
          onInput={(v) => set({ contactNotes: v })}
        />
      </fieldset>

      <fieldset class="report-section">
        <legend>{r.sections.content}</legend>
        <div class="field">
          <label for={fieldId('region')}>{r.fields.region}</label>
          <select
            id={fieldId('region')}
            data-sl="report-region"
            value={draft.region}
            {...invalidProps('region', state, 'report-region-hint')}
            onChange={(e) => set({ region: e.currentTarget.value as ReportDraft['region'] })}
          >
            <option value="">{r.choose}</option>
            {regions.map((reg) => {
              const off = configuredIds !== undefined && !configuredIds.includes(reg.id);
              return (
                <option key={reg.id} value={reg.id} disabled={off}>
                  {reg.name} ({reg.id}){off ? ` ${r.regionUnconfigured}` : ''}
                </option>
              );
            })}
          </select>
          <p id="report-region-hint" class="hint">
            {r.regionHint}
          </p>
          <FieldError field="region" state={state} />
        </div>
        <TextField
          field="summary"
          label={r.fields.summary}
          value={draft.summary}
          state={state}
          multiline
          hint={r.summaryHint(draft.summary.trim().length, MAX_SUMMARY_LENGTH)}
          onInput={(v) => set({ summary: v })}
        />
        <fieldset id={fieldId('excerpts')} tabIndex={-1} class="excerpts">
          <legend>{r.fields.excerpts}</legend>
          <p class="hint">{r.excerptsHint}</p>
          {quotable.length === 0 ? (
            <p class="muted">{r.excerptsNone}</p>
          ) : (
            <ol class="excerpt-list">
              {quotable.map((m) => (
                <li key={m.messageId} class={`excerpt from-${m.from}`}>
                  <label class="choice">
                    <input
                      type="checkbox"
                      data-sl="report-excerpt"
                      data-message-id={m.messageId}
                      checked={draft.excerptIds.includes(m.messageId)}
                      onChange={(e) => toggleExcerpt(m.messageId, e.currentTarget.checked)}
                    />
                    <span>
                      <span class="message-meta">
                        {t.conversation.from[m.from]} ·{' '}
                        <time dateTime={m.at}>{formatClock(m.at, t.locale)}</time>
                      </span>
                      <span class="excerpt-text">{m.text}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ol>
          )}
          <p class="hint" aria-live="polite">
            {r.excerptsChosen(draft.excerptIds.length)}
          </p>
          <FieldError field="excerpts" state={state} />
        </fieldset>
      </fieldset>

      <fieldset class="report-section sensitive">
        <legend>{r.fields.sensitive}</legend>
        <TextField
          field="sensitive"
          label={r.sensitiveLabel}
          value={draft.sensitive}
          state={state}
          multiline
          hint={r.sensitiveHint}
          onInput={(v) => set({ sensitive: v })}
        />
      </fieldset>

      <div class="buttons">
        <button type="submit" class="primary" data-sl="report-submit" disabled={busy}>
          {busy ? r.submitting : r.submit}
        </button>
      </div>
    </form>
  );
}
