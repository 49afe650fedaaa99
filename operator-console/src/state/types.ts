import type {
  Conversation,
  EndReason,
  Message,
  Note,
  OperatorStatus,
  SupervisorAlert,
  ViolenceKind,
  VisitorLeftReason,
  VisitorReturnedBy,
  WaitingItem,
} from '@stille-lijn/shared';
import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import type { RiskAnswers, RiskOverride } from '@stille-lijn/shared/domain/risk';
import type { SyncResult } from '../api/ack.ts';

/** The shapes of the workspace state; each area's reducer lives in its own file beside this. */

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** A message as the console shows it; the operator's own ones carry a delivery status. */
export interface ChatMessage {
  /** Stable render key: the server's messageId, or the clientMessageId until acknowledged. */
  key: string;
  messageId: string | undefined;
  clientMessageId: string | undefined;
  from: Message['from'];
  text: string;
  at: string;
  status: DeliveryStatus;
}

export type SyncState = SyncResult | 'saving';

export interface AcuteState {
  location: string;
  /** undefined: not asked yet. */
  consentToCall112: boolean | undefined;
}

export interface AwayState {
  reason: VisitorLeftReason;
  since: string;
  returnUntil: string | undefined;
}

/** One of the operator's conversations, with everything the console keeps about it. */
export interface ConversationEntry {
  conversation: Conversation;
  messages: ChatMessage[];
  notes: Note[];
  unread: number;
  lastVisitorMessageAt: string | undefined;
  visitorTyping: boolean;
  away: AwayState | undefined;
  /** When the visitor came back after leaving; cleared when they leave again. */
  returnedAt: string | undefined;
  /**
   * When someone last came back with the return code: the newest of the server's mark
   * (`Conversation.returnCodeUsedAt`, so a transfer, a requeue or a reload keeps it) and the
   * live `chat:visitor-returned`. Kept through later leaves and reconnects: whoever holds
   * the conversation since may not be the person who wrote before.
   */
  returnCodeUsedAt: string | undefined;
  tags: ViolenceKind[];
  riskAnswers: RiskAnswers;
  riskOverride: RiskOverride | undefined;
  /** Set once the operator has pressed "acute danger". */
  acute: AcuteState | undefined;
  draft: string;
  sync: { tags?: SyncState; risk?: SyncState; acute?: SyncState };
  /** Names of the supervisors reading along right now. */
  monitoredBy: string[];
  /** When the visitor's address was blocked from this conversation (by anyone). */
  blockedAt: string | undefined;
}

/** A conversation a supervisor reads along with: read-only, never in the operator's own list. */
export interface MonitorState {
  conversationId: string;
  status: 'loading' | 'ready' | 'failed';
  /** Why it could not be opened. */
  failure: 'not-found' | 'forbidden' | 'limited' | 'failed' | undefined;
  conversation: Conversation | undefined;
  messages: ChatMessage[];
  notes: Note[];
  /**
   * When someone last came back with the return code, as `ConversationEntry.returnCodeUsedAt`:
   * the supervisor is warned as the holder is.
   */
  returnCodeUsedAt: string | undefined;
}

export type Announcement =
  | { kind: 'assigned' | 'gone'; conversationId: string }
  | { kind: 'visitor-returned'; conversationId: string; by: VisitorReturnedBy }
  | { kind: 'report'; conversationId: string; status: 'delivered' | 'failed' }
  | { kind: 'visitor-left'; conversationId: string; reason: VisitorLeftReason }
  | { kind: 'unassigned'; conversationId: string; reason: 'transferred' | 'requeued' }
  | { kind: 'ended'; conversationId: string; reason: EndReason }
  | { kind: 'blocked'; conversationId: string }
  | { kind: 'supervisor-alert'; conversationId: string; alert: SupervisorAlert };

export interface WorkspaceState {
  /** `too-many`: refused, the session has too many consoles open (SESSION_SOCKETS_MAX); retrying. */
  connection: 'connecting' | 'online' | 'offline' | 'too-many';
  status: OperatorStatus | undefined;
  /** While on a break: when it ends (ISO). */
  breakUntil: string | undefined;
  /** After `session:expiring`: when the session reaches its absolute limit (ISO). */
  sessionExpiresAt: string | undefined;
  load: number | undefined;
  capacity: number | undefined;
  queue: WaitingItem[];
  /** Conversation ids in list order (the order of Alt+1..9). */
  order: string[];
  conversations: Record<string, ConversationEntry>;
  selectedId: string | undefined;
  /** The latest thing to read out in the live region; `seq` changes each time. */
  announcement: (Announcement & { seq: number; label: number | undefined }) | undefined;
  /** Labels stay stable while a conversation is open: the n-th conversation of this session. */
  labels: Record<string, number>;
  nextLabel: number;
  /** Supervisors only: recent alerts (acute danger, failed reports), newest first. */
  alerts: SupervisorAlert[];
  /** How many of `alerts` (from the newest) nobody has marked as seen yet. */
  alertsUnseen: number;
  /** Delivery status of the reports this console knows of, by report id. */
  reports: Record<string, ReportStatus>;
  /** Supervisors only: the conversation being read along with. */
  monitor: MonitorState | undefined;
  /** The screen is locked: nobody reads the open conversation, so its new messages count as unread. */
  screenLocked: boolean;
}

/** How many supervisor alerts the console keeps. @default 20 */
export const MAX_ALERTS = 20;

export function initialWorkspaceState(): WorkspaceState {
  return {
    connection: 'connecting',
    status: undefined,
    breakUntil: undefined,
    sessionExpiresAt: undefined,
    load: undefined,
    capacity: undefined,
    queue: [],
    order: [],
    conversations: {},
    selectedId: undefined,
    announcement: undefined,
    labels: {},
    nextLabel: 1,
    alerts: [],
    alertsUnseen: 0,
    reports: {},
    monitor: undefined,
    screenLocked: false,
  };
}
