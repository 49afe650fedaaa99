import { describe, expect, it } from 'vitest';
import { errorCatalogue, errorCodes } from '../errors.ts';
import { MAX_TEXT_LENGTH } from './common.ts';
import { operatorInboundSchemas, transferSchema } from './operator.ts';
import { visitorInboundSchemas, visitorResumeSchema, visitorStartSchema } from './visitor.ts';

describe('visitor schemas', () => {
  it('accepts a minimal chat:start and rejects unknown roles and languages', () => {
    expect(visitorStartSchema.safeParse({ role: 'victim', language: 'nl' }).success).toBe(true);
    expect(visitorStartSchema.safeParse({ role: 'abuser', language: 'nl' }).success).toBe(false);
    expect(visitorStartSchema.safeParse({ role: 'victim', language: 'xx' }).success).toBe(false);
  });
  it('trims text and bounds it to 1..2000 characters', () => {
    const s = visitorInboundSchemas['chat:message'];
    expect(s.parse({ clientMessageId: 'a', text: '  hoi  ' }).text).toBe('hoi');
    expect(s.safeParse({ clientMessageId: 'a', text: '   ' }).success).toBe(false);
    expect(s.safeParse({ clientMessageId: 'a', text: 'x'.repeat(MAX_TEXT_LENGTH) }).success).toBe(true);
    expect(s.safeParse({ clientMessageId: 'a', text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }).success).toBe(false);
  });
  it('resumes by token or by code, never both', () => {
    expect(visitorResumeSchema.safeParse({ resumeToken: 'a'.repeat(43) }).success).toBe(true);
    expect(visitorResumeSchema.safeParse({ returnCode: 'ZON-42-TULP' }).success).toBe(true);
    expect(
      visitorResumeSchema.safeParse({ resumeToken: 'a'.repeat(43), returnCode: 'ZON-42-TULP' }).success,
    ).toBe(false);
  });
});

describe('operator schemas', () => {
  it('transfers to one operator or the queue', () => {
    expect(transferSchema.safeParse({ conversationId: 'c', to: { queue: true } }).success).toBe(true);
    expect(transferSchema.safeParse({ conversationId: 'c', to: { operatorId: 'o' } }).success).toBe(true);
    expect(transferSchema.safeParse({ conversationId: 'c', to: { queue: false } }).success).toBe(false);
    expect(transferSchema.safeParse({ conversationId: 'c', to: {} }).success).toBe(false);
  });
  it('rejects ids with spaces or markup', () => {
    expect(operatorInboundSchemas['chat:accept'].safeParse({ conversationId: '<script>' }).success).toBe(
      false,
    );
  });
});

describe('error catalogue', () => {
  it('holds exactly the codes of PROTOCOL.md, each with an HTTP status and a message', () => {
    expect(errorCodes.sort()).toEqual(
      [
        'conflict',
        'forbidden',
        'internal',
        'invalid_payload',
        'not_found',
        'rate_limited',
        'too_large',
        'unauthorized',
        'unavailable',
        'unknown_event',
      ].sort(),
    );
    for (const code of errorCodes) {
      expect(errorCatalogue[code].status).toBeGreaterThanOrEqual(400);
      expect(errorCatalogue[code].message.length).toBeGreaterThan(3);
    }
  });
});
