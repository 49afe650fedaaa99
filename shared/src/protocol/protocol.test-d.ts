import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { Ack, AckError, ErrorCode } from '../errors.ts';
import type { Message } from './common.ts';
import type {
  Conversation,
  OperatorClientToServerEvents,
  OperatorServerToClientEvents,
  transferSchema,
} from './operator.ts';
import type {
  ResumeAck,
  StartAck,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
  visitorResumeSchema,
  visitorStartSchema,
} from './visitor.ts';

describe('visitor event maps', () => {
  it('types chat:start payload and ack', () => {
    type Start = Parameters<VisitorClientToServerEvents['chat:start']>;
    expectTypeOf<Start[0]>().toEqualTypeOf<z.infer<typeof visitorStartSchema>>();
    expectTypeOf<Start[0]['role']>().toEqualTypeOf<'victim' | 'concerned' | 'bystander' | 'professional'>();
    expectTypeOf<Parameters<Start[1]>[0]>().toEqualTypeOf<Ack<StartAck>>();
  });
  it('makes resume either a token or a return code', () => {
    type R = z.infer<typeof visitorResumeSchema>;
    expectTypeOf<{ resumeToken: string }>().toExtend<R>();
    expectTypeOf<{ returnCode: string }>().toExtend<R>();
    expectTypeOf<Parameters<Parameters<VisitorClientToServerEvents['chat:resume']>[1]>[0]>().toEqualTypeOf<
      Ack<ResumeAck>
    >();
  });
  it('has no ack on chat:typing', () => {
    expectTypeOf<Parameters<VisitorClientToServerEvents['chat:typing']>>().toEqualTypeOf<
      [{ typing: boolean }]
    >();
  });
  it('sends visitors messages without operator ids', () => {
    expectTypeOf<Parameters<VisitorServerToClientEvents['chat:message']>[0]>().toEqualTypeOf<Message>();
    expectTypeOf<Parameters<VisitorServerToClientEvents['chat:ended']>[0]['reason']>().toEqualTypeOf<
      'operator' | 'visitor' | 'timeout' | 'blocked'
    >();
  });
});

describe('operator event maps', () => {
  it('types chat:accept with the conversation and its messages', () => {
    type AckArg = Parameters<Parameters<OperatorClientToServerEvents['chat:accept']>[1]>[0];
    expectTypeOf<Extract<AckArg, { ok: true }>['conversation']>().toEqualTypeOf<Conversation>();
    expectTypeOf<Extract<AckArg, { ok: false }>>().toEqualTypeOf<AckError>();
  });
  it('transfers to an operator or to the queue', () => {
    type To = z.infer<typeof transferSchema>['to'];
    expectTypeOf<{ operatorId: string }>().toExtend<To>();
    expectTypeOf<{ queue: true }>().toExtend<To>();
  });
  it('tells operators why a visitor left', () => {
    type Left = Parameters<OperatorServerToClientEvents['chat:visitor-left']>[0];
    expectTypeOf<Left['reason']>().toEqualTypeOf<'quick-exit' | 'ended' | 'disconnected'>();
  });
  it('tells operators how a visitor came back', () => {
    type Returned = Parameters<OperatorServerToClientEvents['chat:visitor-returned']>[0];
    expectTypeOf<Returned['by']>().toEqualTypeOf<'token' | 'return-code'>();
  });
  it('keys error acks on the literal code', () => {
    expectTypeOf<AckError['error']['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<'conflict'>().toExtend<ErrorCode>();
  });
});
