import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';
import type { RegionId } from '../domain/regions.ts';
import type { ReportStatus } from '../domain/report.ts';
import { type RiskResult, riskResultSchema } from '../domain/risk.ts';
import { SIGNAL_CATEGORIES, type SignalCategory, type SignalWeight } from '../domain/signals/categories.ts';
import type { Ack } from '../errors.ts';
import {
  type ConversationState,
  type EndReason,
  idSchema,
  type Language,
  type Message,
  type Note,
  type OperatorRole,
  textSchema,
  type VisitorRole,
  violenceKindSchema,
  violenceKinds,
} from './common.ts';

/** Version 2 adds `break`: no conversation is assigned automatically during it. */
export const operatorStatuses = ['available', 'away', 'break'] as const;
export const operatorStatusSchema = z.object({ status: z.enum(operatorStatuses) });
export type OperatorStatus = (typeof operatorStatuses)[number];

export const conversationRefSchema = z.object({ conversationId: idSchema });

export const operatorMessageSchema = z.object({
  conversationId: idSchema,
  clientMessageId: idSchema,
  text: textSchema,
});

export const operatorTypingSchema = z.object({ conversationId: idSchema, typing: z.boolean() });

export const operatorNoteSchema = z.object({
  conversationId: idSchema,
  text: textSchema,
  /**
   * Extension: the console's own id for this note. A resend with the same id (after an
   * `unavailable` ack) stores nothing twice and answers with the first note's `noteId`.
   * Without it every `chat:note` stores a note.
   * @example { conversationId, text: 'Belt morgen terug', clientNoteId: 'n-6f1c…' }
   */
  clientNoteId: idSchema.optional(),
});

export const transferSchema = z.object({
  conversationId: idSchema,
  to: z.union([
    z.strictObject({ operatorId: idSchema }),
    /** Version 2 (lines): with `line`, back to that line's queue; its `line` becomes that line. */
    z.strictObject({ queue: z.literal(true), line: lineIdSchema.optional() }),
  ]),
  /** Extension: an optional hand-over note, stored as a private note. */
  note: textSchema.optional(),
});
export type Transfer = z.infer<typeof transferSchema>;

export const visitorLeftReasons = ['quick-exit', 'ended', 'disconnected'] as const;
export type VisitorLeftReason = (typeof visitorLeftReasons)[number];

/**
 * How a visitor came back (`chat:visitor-returned.by`): `token` is the visitor's own client
 * reconnecting; `return-code` means someone typed the return code, who may not be the
 * person the operator was talking to.
 */
export const visitorReturnedBy = ['token', 'return-code'] as const;
export type VisitorReturnedBy = (typeof visitorReturnedBy)[number];

/** A conversation as operators see it. */
export interface Conversation {
  conversationId: string;
  role: VisitorRole;
  language: Language;
  urgent: boolean;
  state: ConversationState;
  waitingSince: string;
  assignedAt?: string;
  operatorId?: string;
  tags: string[];
  /** Extension: set while the visitor has quick-exited or dropped. */
  away?: { reason: VisitorLeftReason; since: string; returnUntil: string };
  /** Extension: when the conversation ended, and why. */
  endedAt?: string;
  endReason?: EndReason;
  /** Extension: the saved risk checklist (stored encrypted). */
  risk?: RiskResult;
  /** Extension: acute danger, with the 112 script's answers (stored encrypted). */
  acute?: AcuteRecord;
  /** Extension: the operator who last held it (kept after it ends). */
  operatorName?: string;
  /** Version 2: nobody on shift spoke its language, so a Dutch or English speaker may take it. */
  languageFallback?: boolean;
  /**
   * Extension: when someone last came back with the return code (who may not be the person
   * who wrote before; `chat:visitor-returned` `by: 'return-code'`). Kept with the conversation,
   * so that every later holder is warned too; absent when the code was never redeemed.
   * Operators only: no visitor payload carries it.
   * @example '2026-12-05T21:14:03.512Z'
   */
  returnCodeUsedAt?: string;
  /**
   * Version 2: danger signals read in the visitor's messages, with the ranges of the
   * words that raised them (offsets into message texts; never text). Dismissed ones go.
   */
  signals?: ConversationSignal[];
  /** Version 2 (lines): the line it started on (changed only by a transfer to another line). */
  line?: string;
  /** Version 2 (lines): shown to an operator of another line through overflow: the same id as `line`. */
  overflowFrom?: string;
  /**
   * Version 2 (lines): the line's `region`, the default region of its Veilig Thuis reports
   * (the operator can still choose another). Absent when the line names none.
   */
  defaultRegion?: RegionId;
}

/** Version 2: a danger signal's category and weight, as queue items and alerts carry it. */
export interface SignalSummary {
  category: SignalCategory;
  weight: SignalWeight;
}

/** Version 2: a danger signal of a conversation, with where in which message it was read. */
export interface ConversationSignal extends SignalSummary {
  spans: { messageId: string; start: number; end: number }[];
}

export interface WaitingItem {
  conversationId: string;
  role: VisitorRole;
  language: Language;
  urgent: boolean;
  waitingSince: string;
  /** Version 2: on the language fallback (see `Conversation.languageFallback`). */
  languageFallback?: boolean;
  /** Version 2: its danger signals (categories and weights only). */
  signals?: SignalSummary[];
  /** Version 2 (lines): the line it started on. */
  line?: string;
  /** Version 2 (lines): reached this operator through overflow from that line (same id as `line`). */
  overflowFrom?: string;
}

export interface OperatorIdentity {
  id: string;
  displayName: string;
  role: OperatorRole;
}

export type OperatorClientToServerEvents = ConsoleClientToServerEvents & {
  'operator:status': (
    payload: { status: OperatorStatus },
    ack: (res: Ack<{ status: OperatorStatus }>) => void,
  ) => void;
  'chat:accept': (
    payload: { conversationId: string },
    ack: (res: Ack<{ conversation: Conversation; messages: Message[] }>) => void,
  ) => void;
  'chat:message': (
    payload: { conversationId: string; clientMessageId: string; text: string },
    ack: (res: Ack<{ messageId: string; at: string }>) => void,
  ) => void;
  'chat:typing': (payload: { conversationId: string; typing: boolean }) => void;
  'chat:note': (
    payload: { conversationId: string; text: string; clientNoteId?: string },
    ack: (res: Ack<{ noteId: string; at: string }>) => void,
  ) => void;
  'chat:transfer': (payload: Transfer, ack: (res: Ack<object>) => void) => void;
  'chat:end': (payload: { conversationId: string }, ack: (res: Ack<object>) => void) => void;
  /** Version 2: ends an abusive conversation and blocks its address for BLOCK_HOURS. */
  'chat:block': (payload: { conversationId: string }, ack: (res: Ack<object>) => void) => void;
  /** Version 2: ends a shift; the caller becomes `away` and hands every active conversation on. */
  'operator:handover': (
    payload: z.infer<typeof handoverSchema>,
    ack: (res: Ack<{ moved: number }>) => void,
  ) => void;
  /** Version 2: an operator on a break asks a supervisor to talk (`supervisor:alert` `debrief-request`). */
  'operator:debrief': (payload: Record<string, never>, ack: (res: Ack<object>) => void) => void;
};

export type OperatorServerToClientEvents = ConsoleServerToClientEvents & {
  'queue:snapshot': (payload: { waiting: WaitingItem[] }) => void;
  'chat:assigned': (payload: { conversation: Conversation; messages: Message[]; notes: Note[] }) => void;
  'chat:unassigned': (payload: { conversationId: string; reason: 'transferred' | 'requeued' }) => void;
  'chat:message': (payload: Message & { conversationId: string }) => void;
  'chat:note': (payload: Note) => void;
  'chat:typing': (payload: { conversationId: string; typing: boolean }) => void;
  'chat:visitor-left': (payload: {
    conversationId: string;
    reason: VisitorLeftReason;
    /** Extension: when the return window closes. */
    returnUntil?: string;
  }) => void;
  'chat:visitor-returned': (payload: {
    conversationId: string;
    /** Extension: by resume token (a reconnect) or by return code (maybe someone else). */
    by: VisitorReturnedBy;
  }) => void;
  'chat:ended': (payload: { conversationId: string; reason: EndReason }) => void;
  /** Extension: the operator's own status and load, on connect and on every change. */
  'operator:state': (payload: OperatorState) => void;
  /** Version 2: the session ends at `at` (SESSION_MAX_HOURS after sign-in); sent 15 minutes ahead. */
  'session:expiring': (payload: { at: string }) => void;
  /** Extension: sent just before the server cuts a socket whose session ended. */
  'session:ended': () => void;
  /**
   * Sent just before the server cuts the socket because an admin changed the account's
   * role or languages. The session stays valid: read `GET /api/auth/me` again and reconnect.
   */
  'account:changed': () => void;
};

/** Version 2: `operator:handover`: every active conversation to a colleague or back to the queue. */
export const handoverSchema = z.object({
  to: z.union([z.strictObject({ operatorId: idSchema }), z.strictObject({ queue: z.literal(true) })]),
  /** The hand-over note, stored with each conversation as a private note. */
  note: textSchema.optional(),
});

/** Version 2: `operator:debrief`: an operator on a break asks a supervisor to talk. */
export const debriefSchema = z.object({}).strict();

/** The operator's own status and load (`operator:state`). */
export interface OperatorState {
  status: OperatorStatus;
  load: number;
  capacity: number;
  /** Version 2: while on a break, when it ends. */
  breakUntil?: string;
}

export const operatorInboundSchemas = {
  'operator:status': operatorStatusSchema,
  'chat:accept': conversationRefSchema,
  'chat:message': operatorMessageSchema,
  'chat:typing': operatorTypingSchema,
  'chat:note': operatorNoteSchema,
  'chat:transfer': transferSchema,
  'chat:end': conversationRefSchema,
  'chat:block': conversationRefSchema,
  'operator:handover': handoverSchema,
  'operator:debrief': debriefSchema,
} as const;

// ------------------------------------------------------------------------------
// Project extensions for the console (see docs/protocol.md, "Console extensions").

/** `chat:tags`: the kinds of violence the conversation is about (replaces the set). */
export const tagsSchema = z.object({
  conversationId: idSchema,
  tags: z
    .array(violenceKindSchema)
    .max(violenceKinds.length)
    .refine((t) => new Set(t).size === t.length, 'duplicate tag'),
});

/** `chat:risk`: the risk checklist; the server re-scores it and stores it encrypted. */
/** Version 2: `signal:dismiss`. */
export const signalDismissSchema = z.object({
  conversationId: idSchema,
  category: z.enum(SIGNAL_CATEGORIES),
});

export const riskSaveSchema = z.object({ conversationId: idSchema, risk: riskResultSchema });

/** `chat:acute`: marks acute danger (urgent, supervisors alerted) and records the 112 script's answers. */
export const acuteSchema = z.object({
  conversationId: idSchema,
  /** Where the visitor is, in their words. */
  location: z.string().trim().min(1).max(500).optional(),
  /** Whether the visitor wants the operator to call 112 for them. */
  consentToCall112: z.boolean().optional(),
});
export type AcuteDanger = z.infer<typeof acuteSchema>;

/** `supervisor:monitor` / `supervisor:unmonitor`: read-only watching, audited. */
export const monitorSchema = conversationRefSchema;

/** `supervisor:reassign`: move a conversation from whoever has it. */
export const reassignSchema = z.object({
  conversationId: idSchema,
  to: z.union([z.strictObject({ operatorId: idSchema }), z.strictObject({ queue: z.literal(true) })]),
});

export interface AcuteRecord {
  at: string;
  markedBy: string;
  location?: string;
  consentToCall112?: boolean;
}

export interface SupervisorAlert {
  /**
   * Version 2 adds `urgent-waiting` (an urgent conversation has waited URGENT_ALERT_S, and
   * again every URGENT_ALERT_REPEAT_S), `danger-signal` and `debrief-request`; `totp-locked`
   * (wrong TOTP codes after the right password locked the account `operatorId`).
   */
  kind:
    | 'acute-danger'
    | 'report-failed'
    | 'urgent-waiting'
    | 'danger-signal'
    | 'debrief-request'
    | 'totp-locked';
  conversationId?: string;
  reportId?: string;
  operatorId?: string;
  operatorName?: string;
  /** `urgent-waiting`: how long it has waited so far (seconds). */
  waitedSeconds?: number;
  /** `danger-signal`: the high signals newly read in a waiting conversation. */
  signals?: SignalSummary[];
  at: string;
}

export type ConsoleClientToServerEvents = {
  'chat:tags': (
    payload: z.infer<typeof tagsSchema>,
    ack: (res: Ack<{ conversation: Conversation }>) => void,
  ) => void;
  'chat:risk': (
    payload: z.infer<typeof riskSaveSchema>,
    ack: (res: Ack<{ conversation: Conversation }>) => void,
  ) => void;
  'chat:acute': (payload: AcuteDanger, ack: (res: Ack<{ conversation: Conversation }>) => void) => void;
  'supervisor:monitor': (
    payload: { conversationId: string },
    ack: (res: Ack<{ conversation: Conversation; messages: Message[]; notes: Note[] }>) => void,
  ) => void;
  'supervisor:unmonitor': (payload: { conversationId: string }, ack: (res: Ack<object>) => void) => void;
  'supervisor:reassign': (payload: z.infer<typeof reassignSchema>, ack: (res: Ack<object>) => void) => void;
  /** Version 2: the holding operator dismisses a wrong danger signal (audited, counted). */
  'signal:dismiss': (
    payload: z.infer<typeof signalDismissSchema>,
    ack: (res: Ack<{ conversation: Conversation }>) => void,
  ) => void;
};

export type ConsoleServerToClientEvents = {
  /** A conversation's fields changed (tags, risk, urgency, acute danger, monitoring). */
  'chat:updated': (payload: { conversation: Conversation }) => void;
  /** To the operator: a supervisor started or stopped watching. */
  'chat:monitored': (payload: { conversationId: string; supervisorName: string; watching: boolean }) => void;
  /** To supervisors. */
  'supervisor:alert': (payload: SupervisorAlert) => void;
  /** To the reporting operator and supervisors: a Veilig Thuis report's status changed. */
  'report:status': (payload: ReportStatus) => void;
  /** To supervisors watching a conversation: its messages, both ways. */
  'monitor:message': (payload: Message & { conversationId: string }) => void;
};

export const consoleInboundSchemas = {
  'chat:tags': tagsSchema,
  'chat:risk': riskSaveSchema,
  'chat:acute': acuteSchema,
  'supervisor:monitor': monitorSchema,
  'supervisor:unmonitor': monitorSchema,
  'supervisor:reassign': reassignSchema,
  'signal:dismiss': signalDismissSchema,
} as const;
