import { z } from 'zod';
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
} from './common.ts';

export const operatorStatuses = ['available', 'away'] as const;
export const operatorStatusSchema = z.object({ status: z.enum(operatorStatuses) });
export type OperatorStatus = (typeof operatorStatuses)[number];

export const conversationRefSchema = z.object({ conversationId: idSchema });

export const operatorMessageSchema = z.object({
  conversationId: idSchema,
  clientMessageId: idSchema,
  text: textSchema,
});

export const operatorTypingSchema = z.object({ conversationId: idSchema, typing: z.boolean() });

export const operatorNoteSchema = z.object({ conversationId: idSchema, text: textSchema });

export const transferSchema = z.object({
  conversationId: idSchema,
  to: z.union([z.strictObject({ operatorId: idSchema }), z.strictObject({ queue: z.literal(true) })]),
  /** Extension: an optional hand-over note, stored as a private note. */
  note: textSchema.optional(),
});
export type Transfer = z.infer<typeof transferSchema>;

export const visitorLeftReasons = ['quick-exit', 'ended', 'disconnected'] as const;
export type VisitorLeftReason = (typeof visitorLeftReasons)[number];

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
}

export interface WaitingItem {
  conversationId: string;
  role: VisitorRole;
  language: Language;
  urgent: boolean;
  waitingSince: string;
}

export interface OperatorIdentity {
  id: string;
  displayName: string;
  role: OperatorRole;
}

export type OperatorClientToServerEvents = {
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
    payload: { conversationId: string; text: string },
    ack: (res: Ack<{ noteId: string; at: string }>) => void,
  ) => void;
  'chat:transfer': (payload: Transfer, ack: (res: Ack<object>) => void) => void;
  'chat:end': (payload: { conversationId: string }, ack: (res: Ack<object>) => void) => void;
};

export type OperatorServerToClientEvents = {
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
  'chat:visitor-returned': (payload: { conversationId: string }) => void;
  'chat:ended': (payload: { conversationId: string; reason: EndReason }) => void;
  /** Extension: the operator's own status and load, on connect and on every change. */
  'operator:state': (payload: { status: OperatorStatus; load: number; capacity: number }) => void;
  /** Extension: sent just before the server cuts a socket whose session ended. */
  'session:ended': () => void;
};

export const operatorInboundSchemas = {
  'operator:status': operatorStatusSchema,
  'chat:accept': conversationRefSchema,
  'chat:message': operatorMessageSchema,
  'chat:typing': operatorTypingSchema,
  'chat:note': operatorNoteSchema,
  'chat:transfer': transferSchema,
  'chat:end': conversationRefSchema,
} as const;
