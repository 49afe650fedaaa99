import { z } from 'zod';
import { riskAnswerSchema, riskLevelSchema } from '../domain/risk.ts';
import {
  conversationStateSchema,
  endReasonSchema,
  languageSchema,
  messageSchema,
  noteSchema,
  visitorRoleSchema,
} from '../protocol/common.ts';
import { type Conversation, visitorLeftReasons } from '../protocol/operator.ts';
import { schemaOf } from './schema.ts';

/**
 * A conversation as operators see it (`Conversation`). Loose: a field a later release adds
 * is kept, by the server's answers and by the console's parsing alike, so that a feature
 * never has to wait for this schema to be shown.
 */
export const conversationSchema = schemaOf<Conversation>()(
  z.looseObject({
    conversationId: z.string().min(1),
    role: visitorRoleSchema,
    language: languageSchema,
    urgent: z.boolean(),
    state: conversationStateSchema,
    waitingSince: z.string(),
    assignedAt: z.string().optional(),
    operatorId: z.string().optional(),
    tags: z.array(z.string()),
    away: z
      .object({ reason: z.enum(visitorLeftReasons), since: z.string(), returnUntil: z.string() })
      .optional(),
    endedAt: z.string().optional(),
    endReason: endReasonSchema.optional(),
    // The bulk overview carries the level and score only, so no agreement check here; and
    // answers of a checklist item a later release retired still pass.
    risk: z
      .looseObject({
        answers: z.record(z.string(), riskAnswerSchema),
        score: z.number(),
        level: riskLevelSchema,
        redFlags: z.array(z.string()),
        override: z.looseObject({ level: riskLevelSchema, reason: z.string() }).optional(),
      })
      .optional(),
    acute: z
      .object({
        at: z.string(),
        markedBy: z.string(),
        location: z.string().optional(),
        consentToCall112: z.boolean().optional(),
      })
      .optional(),
    operatorName: z.string().optional(),
    languageFallback: z.boolean().optional(),
  }),
);

/** `GET /api/conversations` → 200: the caller's active and recently ended conversations. */
export const myConversationsResponseSchema = z.object({ conversations: z.array(conversationSchema) });

/** `GET /api/conversations/:id` → 200. */
export const conversationViewResponseSchema = z.object({
  conversation: conversationSchema,
  messages: z.array(messageSchema),
  notes: z.array(noteSchema),
});
