import { refusal } from '@stille-lijn/shared';
import type { OperatorFeature } from '../sockets/features.ts';
import { watchRoom } from '../sockets/notifier.ts';
import { strangerAnswer } from '../sockets/operator.ts';
import type { Supervision } from './service.ts';

/** `/operator`: reading along and reassigning, for supervisors and admins. */
export function supervisionEvents(supervision: Supervision): OperatorFeature {
  return (ctx) => {
    // A move re-checks the read-alongs of the sockets that may have one.
    if (ctx.supervisor) supervision.trackReader(ctx);
    return {
      'supervisor:monitor': async (p) => {
        await ctx.supervisorOnly();
        const view = await supervision.monitor(p.conversationId, ctx.op);
        if (!ctx.watching.has(p.conversationId)) {
          ctx.watching.add(p.conversationId);
          await ctx.socket.join(watchRoom(p.conversationId));
        } else {
          await supervision.uncountRepeatedWatcher(p.conversationId); // a repeated look is not double counted
        }
        // Moved out of the account's lines since the event's line check, before the join
        // (a move after it finds this read-along and ends it): ended here instead.
        if (!(await supervision.stillReaches(ctx, p.conversationId))) {
          await supervision.endReadAlong(ctx, p.conversationId);
          throw strangerAnswer('supervisor:monitor', true);
        }
        return view;
      },
      'supervisor:unmonitor': async (p) => {
        // Only ever gives up a right: `watching` holds what supervisor:monitor granted.
        if (!ctx.supervisor) throw refusal('role_required');
        if (ctx.watching.delete(p.conversationId)) {
          await ctx.socket.leave(watchRoom(p.conversationId));
          await supervision.unmonitor(p.conversationId, ctx.op);
        }
        return {};
      },
      'supervisor:reassign': async (p) => {
        await ctx.supervisorOnly();
        await supervision.reassign(p.conversationId, ctx.op, p.to);
        return {};
      },
    };
  };
}
