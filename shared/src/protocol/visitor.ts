import { z } from 'zod';
import { lineIdSchema } from '../domain/lines.ts';
import type { Ack } from '../errors.ts';
import {
  type ConversationState,
  type EndReason,
  idSchema,
  languageSchema,
  type Message,
  textSchema,
  visitorRoleSchema,
} from './common.ts';

/** `chat:start`: open a conversation. `urgent` puts it ahead of non-urgent ones. */
export const visitorStartSchema = z.object({
  role: visitorRoleSchema,
  language: languageSchema,
  /** @default false */
  urgent: z.boolean().optional(),
  /** An optional first message, stored as the conversation's first visitor message. */
  text: textSchema.optional(),
  /**
   * Version 2 (lines): the line to write to; the first line of `LINES_FILE` (`default`
   * without one) when absent. Unknown → `invalid_payload` (reason `unknown_line`).
   */
  line: lineIdSchema.optional(),
});
export type VisitorStart = z.infer<typeof visitorStartSchema>;

/** Resume tokens are 256 random bits, base64url: 43 characters. */
export const resumeTokenSchema = z
  .string()
  .min(20)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/);

/** A return code such as `ZON-42-TULP`; matched case-insensitively, spaces ignored. */
export const returnCodeSchema = z
  .string()
  .trim()
  .min(4)
  .max(40)
  .regex(/^[A-Za-z0-9 -]+$/);

/** `chat:resume`: by resume token (with missed messages) or by return code (none). */
export const visitorResumeSchema = z.union([
  z.strictObject({ resumeToken: resumeTokenSchema, lastMessageId: idSchema.optional() }),
  z.strictObject({ returnCode: returnCodeSchema }),
]);
export type VisitorResume = z.infer<typeof visitorResumeSchema>;

export const visitorMessageSchema = z.object({
  /** Client-chosen id; a resend with the same id is answered with the same `messageId`. */
  clientMessageId: idSchema,
  text: textSchema,
});
export type VisitorMessage = z.infer<typeof visitorMessageSchema>;

export const typingSchema = z.object({ typing: z.boolean() });

export const leaveReasons = ['ended', 'quick-exit'] as const;
export const visitorLeaveSchema = z.object({ reason: z.enum(leaveReasons) });
export type LeaveReason = (typeof leaveReasons)[number];

/** Version 2: whether anyone can answer now, and the estimate as a range. */
export interface Staffing {
  /**
   * True while at least one operator who can take the conversation has a console connected
   * with status available (busy or not). When false, `estimatedWaitSeconds` is null.
   */
  staffed: boolean;
  /** Extension: the lower end of the estimate (seconds); `estimatedWaitSeconds` is the upper end. */
  estimatedWaitMinSeconds?: number | null;
  /** The conversation may go to an operator speaking Dutch or English (LANGUAGE_FALLBACK_S). */
  languageFallback?: boolean;
}

export interface StartAck extends Staffing {
  conversationId: string;
  resumeToken: string;
  returnCode: string;
  position: number;
  estimatedWaitSeconds: number | null;
}

export interface ResumeAck extends Partial<Staffing> {
  conversationId: string;
  resumeToken: string;
  state: ConversationState;
  position?: number;
  estimatedWaitSeconds?: number | null;
  missed?: Message[];
  /** Extension: the operator's display name when the conversation is active. */
  operatorName?: string;
  /** Extension: after a return-code resume, a fresh single-use return code. */
  returnCode?: string;
  /** Extension: after a return-code resume, the newest message id (none of them is sent). */
  lastMessageId?: string;
}

export interface MessageAck {
  messageId: string;
  at: string;
}

export interface QueuePosition extends Staffing {
  position: number;
  estimatedWaitSeconds: number | null;
}

export type VisitorClientToServerEvents = {
  'chat:start': (payload: VisitorStart, ack: (res: Ack<StartAck>) => void) => void;
  'chat:resume': (payload: VisitorResume, ack: (res: Ack<ResumeAck>) => void) => void;
  'chat:message': (payload: VisitorMessage, ack: (res: Ack<MessageAck>) => void) => void;
  'chat:typing': (payload: { typing: boolean }) => void;
  'chat:leave': (payload: { reason: LeaveReason }, ack: (res: Ack<object>) => void) => void;
};

export type VisitorServerToClientEvents = {
  'queue:position': (payload: QueuePosition) => void;
  'chat:assigned': (payload: { operatorName: string }) => void;
  'chat:message': (payload: Message) => void;
  'chat:typing': (payload: { typing: boolean }) => void;
  'chat:ended': (payload: { reason: EndReason }) => void;
};

/** Inbound visitor events and their payload schemas; anything else is `unknown_event`. */
export const visitorInboundSchemas = {
  'chat:start': visitorStartSchema,
  'chat:resume': visitorResumeSchema,
  'chat:message': visitorMessageSchema,
  'chat:typing': typingSchema,
  'chat:leave': visitorLeaveSchema,
} as const;
