import { type ResumeAck, refusal } from '@stille-lijn/shared';
import type { OperatorFeature, VisitorFeature } from '../sockets/features.ts';
import type { ConversationLifecycle } from './lifecycle.ts';

/** `/visitor`: starting, resuming and leaving a conversation. One socket holds at most one. */
export function visitorLifecycleEvents(lifecycle: ConversationLifecycle): VisitorFeature {
  return (ctx) => ({
    'chat:start': async (p) => {
      // Claimed before the first await: starts sent at once on one socket create one conversation.
      if (ctx.conversationId || ctx.starting) throw refusal('already_started');
      ctx.starting = true;
      try {
        const ack = await lifecycle.start(p, ctx.socket.id, ctx.addressHash, ctx.networkHash);
        // A new conversation: no return code redeemed yet, so no floor.
        await ctx.attach(ack.conversationId, '');
        return ack;
      } finally {
        ctx.starting = false;
      }
    },
    'chat:resume': async (p) => {
      const join = async (id: string, floor: string) => {
        await ctx.attach(id, floor);
        // Her older sockets close once this one holds the conversation; one that closed
        // while its resume ran leaves them be.
        if (!ctx.socket.disconnected) ctx.takeOver(id);
      };
      /**
       * An ended conversation is answered as the contract says, but never kept on the socket
       * (resume.ts): it stays idle, closed after VISITOR_IDLE_S. One that ended after it was
       * joined (between the join and the read) is taken off again.
       */
      const unlessEnded = async (ack: ResumeAck): Promise<ResumeAck> => {
        if (ack.state === 'ended' && ctx.conversationId === ack.conversationId) await ctx.left(true);
        return ack;
      };
      if ('resumeToken' in p) {
        // Joined before `missed` is read (resume.ts).
        return unlessEnded(
          await lifecycle.resumeByToken(p.resumeToken, p.lastMessageId, ctx.socket.id, join),
        );
      }
      const ack = await lifecycle.resumeByReturnCode(
        p.returnCode,
        ctx.socket.id,
        ctx.addressHash,
        ctx.networkHash,
      );
      // The floor this redemption set: messages stored before it never reach this socket.
      // A retry of a redemption whose conversation has ended since is not joined.
      if (ack.state !== 'ended') await join(ack.conversationId, ack.lastMessageId ?? '');
      return unlessEnded(ack);
    },
    'chat:leave': async (p) => {
      const id = ctx.own();
      await lifecycle.visitorLeave(id, p.reason, ctx.socket.id);
      await ctx.left(p.reason === 'ended');
      return {};
    },
  });
}

/** `/operator`: ending a conversation the operator holds. */
export function operatorLifecycleEvents(lifecycle: ConversationLifecycle): OperatorFeature {
  return (ctx) => ({
    'chat:end': async (p) => {
      await lifecycle.end(p.conversationId, 'operator', { byOperatorId: ctx.op.id });
      return {};
    },
  });
}
