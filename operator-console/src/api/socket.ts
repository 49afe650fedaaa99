import type {
  Ack,
  AcuteDanger,
  Conversation,
  Message,
  Note,
  OperatorClientToServerEvents,
  OperatorServerToClientEvents,
  OperatorStatus,
  SignalCategory,
  Transfer,
  ViolenceKind,
} from '@stille-lijn/shared';
import type { ReportStatus } from '@stille-lijn/shared/domain/report';
import type { RiskResult } from '@stille-lijn/shared/domain/risk';
import { io, type Socket } from 'socket.io-client';
import { ACK_TIMEOUT_MS, ackError, type SyncResult, settle, syncResultOf } from './ack.ts';

/** `chat:acute`: marks acute danger; later calls add the answers to the 112 script. */
export type AcuteDangerPayload = AcuteDanger;

/** Server events the console listens for that shared/ does not type yet. */
export type PendingOperatorServerEvents = {
  /**
   * A report's delivery status changed: to the reporting operator and to supervisors
   * (server/src/reports/delivery.ts). Never the report's content.
   */
  'report:status': (payload: ReportStatus) => void;
};

export type ConsoleServerToClientEvents = OperatorServerToClientEvents & PendingOperatorServerEvents;
export type OperatorSocket = Socket<ConsoleServerToClientEvents, OperatorClientToServerEvents>;

/** Opens the `/operator` namespace on this origin; the browser sends the session cookie. */
export function connectOperatorSocket(): OperatorSocket {
  return io('/operator', {
    withCredentials: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
}

/** `supervisor:reassign`: move a conversation from whoever holds it. */
export interface Reassign {
  conversationId: string;
  to: { operatorId: string } | { queue: true };
}

export type MonitorView = { conversation: Conversation; messages: Message[]; notes: Note[] };

/** Everything the console asks of the server over the socket. */
export interface OperatorApi {
  setStatus(status: OperatorStatus): Promise<Ack<{ status: OperatorStatus }>>;
  accept(conversationId: string): Promise<Ack<{ conversation: Conversation; messages: Message[] }>>;
  sendMessage(
    conversationId: string,
    clientMessageId: string,
    text: string,
  ): Promise<Ack<{ messageId: string; at: string }>>;
  sendTyping(conversationId: string, typing: boolean): void;
  /** `chat:note`; a retry passes the same `clientNoteId`, so the note is stored once. */
  addNote(
    conversationId: string,
    text: string,
    clientNoteId: string,
  ): Promise<Ack<{ noteId: string; at: string }>>;
  transfer(payload: Transfer): Promise<Ack<object>>;
  end(conversationId: string): Promise<Ack<object>>;
  /** `chat:block`: ends the conversation (if open) and refuses its address for a few hours. */
  block(conversationId: string): Promise<Ack<object>>;
  /** `chat:tags { conversationId, tags }`. */
  setTags(conversationId: string, tags: ViolenceKind[]): Promise<SyncResult>;
  /** `chat:risk { conversationId, risk }`, `risk` in the report's shape. */
  saveRisk(conversationId: string, risk: RiskResult): Promise<SyncResult>;
  /** `chat:acute { conversationId }`: marks the conversation urgent and alerts supervisors. */
  markAcuteDanger(conversationId: string): Promise<SyncResult>;
  /** `chat:acute { conversationId, location?, consentToCall112? }`: the 112 script's answers. */
  saveAcuteDetails(payload: AcuteDangerPayload): Promise<SyncResult>;
  /** `supervisor:monitor`: read-only watching, audited; the holding operator is told. */
  monitor(conversationId: string): Promise<Ack<MonitorView>>;
  /** `supervisor:unmonitor`. */
  unmonitor(conversationId: string): Promise<Ack<object>>;
  /** `supervisor:reassign`. */
  reassign(payload: Reassign): Promise<Ack<object>>;
  /** `operator:handover`: ends the shift; every active conversation to a colleague or the queue. */
  handover(payload: Handover): Promise<Ack<{ moved: number }>>;
  /** `operator:debrief`: on a break, ask a supervisor to talk. */
  debrief(): Promise<Ack<object>>;
  /** `signal:dismiss`: the holder marks a danger signal wrong; the ack holds the conversation without it. */
  dismissSignal(
    conversationId: string,
    category: SignalCategory,
  ): Promise<Ack<{ conversation: Conversation }>>;
}

/** `operator:handover`. */
export interface Handover {
  to: { operatorId: string } | { queue: true };
  note?: string;
}

export function createOperatorApi(socket: OperatorSocket): OperatorApi {
  const timed = () => socket.timeout(ACK_TIMEOUT_MS);
  // Nothing is queued while offline: a buffered emit could arrive long after the operator gave up on it.
  const online = <T>(send: () => Promise<Ack<T>>): Promise<Ack<T>> =>
    socket.connected ? send() : Promise.resolve(ackError('unavailable'));

  return {
    setStatus: (status) => online(() => settle(timed().emitWithAck('operator:status', { status }))),
    accept: (conversationId) => online(() => settle(timed().emitWithAck('chat:accept', { conversationId }))),
    sendMessage: (conversationId, clientMessageId, text) =>
      online(() => settle(timed().emitWithAck('chat:message', { conversationId, clientMessageId, text }))),
    sendTyping: (conversationId, typing) => {
      if (socket.connected) socket.volatile.emit('chat:typing', { conversationId, typing });
    },
    addNote: (conversationId, text, clientNoteId) =>
      online(() => settle(timed().emitWithAck('chat:note', { conversationId, text, clientNoteId }))),
    transfer: (payload) => online(() => settle(timed().emitWithAck('chat:transfer', payload))),
    end: (conversationId) => online(() => settle(timed().emitWithAck('chat:end', { conversationId }))),
    block: (conversationId) => online(() => settle(timed().emitWithAck('chat:block', { conversationId }))),
    setTags: async (conversationId, tags) =>
      syncResultOf(await online(() => settle(timed().emitWithAck('chat:tags', { conversationId, tags })))),
    saveRisk: async (conversationId, risk) =>
      syncResultOf(await online(() => settle(timed().emitWithAck('chat:risk', { conversationId, risk })))),
    markAcuteDanger: async (conversationId) =>
      syncResultOf(await online(() => settle(timed().emitWithAck('chat:acute', { conversationId })))),
    saveAcuteDetails: async (payload) =>
      syncResultOf(await online(() => settle(timed().emitWithAck('chat:acute', payload)))),
    monitor: (conversationId) =>
      online(() => settle(timed().emitWithAck('supervisor:monitor', { conversationId }))),
    unmonitor: (conversationId) =>
      online(() => settle(timed().emitWithAck('supervisor:unmonitor', { conversationId }))),
    reassign: (payload) => online(() => settle(timed().emitWithAck('supervisor:reassign', payload))),
    handover: (payload) => online(() => settle(timed().emitWithAck('operator:handover', payload))),
    debrief: () => online(() => settle(timed().emitWithAck('operator:debrief', {}))),
    dismissSignal: (conversationId, category) =>
      online(() => settle(timed().emitWithAck('signal:dismiss', { conversationId, category }))),
  };
}
