import { z } from 'zod';

/** Languages a visitor can write in. Dutch first. Adding one here and a catalogue file is enough. */
export const languages = ['nl', 'en', 'ar', 'tr', 'pl'] as const;
export const languageSchema = z.enum(languages);
export type Language = z.infer<typeof languageSchema>;

export const visitorRoles = ['victim', 'concerned', 'bystander', 'professional'] as const;
export const visitorRoleSchema = z.enum(visitorRoles);
export type VisitorRole = z.infer<typeof visitorRoleSchema>;

export const operatorRoles = ['operator', 'supervisor', 'admin'] as const;
export const operatorRoleSchema = z.enum(operatorRoles);
export type OperatorRole = z.infer<typeof operatorRoleSchema>;

/** @default 2000 */
export const MAX_TEXT_LENGTH = 2000;

/** Message or note text: 1 to 2000 characters after trimming. */
export const textSchema = z.string().trim().min(1).max(MAX_TEXT_LENGTH);

/** Opaque id: short, printable, no spaces. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/);

export const isoDateSchema = z.iso.datetime();

export const conversationStates = ['waiting', 'active', 'ended'] as const;
export const conversationStateSchema = z.enum(conversationStates);
export type ConversationState = z.infer<typeof conversationStateSchema>;

export const endReasons = ['operator', 'visitor', 'timeout', 'blocked'] as const;
export const endReasonSchema = z.enum(endReasons);
export type EndReason = z.infer<typeof endReasonSchema>;

export const messageSchema = z.object({
  messageId: z.string(),
  from: z.enum(['visitor', 'operator', 'system']),
  text: z.string(),
  at: isoDateSchema,
  /** Operator-side copies only, for `from: 'operator'`. */
  operatorId: z.string().optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const noteSchema = z.object({
  noteId: z.string(),
  conversationId: z.string(),
  operatorId: z.string(),
  text: z.string(),
  at: isoDateSchema,
});
export type Note = z.infer<typeof noteSchema>;

/** The kinds of violence an operator can tag a conversation with. */
export const violenceKinds = [
  'physical',
  'psychological',
  'sexual',
  'stalking',
  'coercive-control',
  'financial',
  'child-abuse',
  'honour-related',
] as const;
export const violenceKindSchema = z.enum(violenceKinds);
export type ViolenceKind = z.infer<typeof violenceKindSchema>;
