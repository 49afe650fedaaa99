import { refusal } from '@stille-lijn/shared';
import type { OperatorFeature } from '../sockets/features.ts';
import { watchRoom } from '../sockets/notifier.ts';
import type { Supervision } from './service.ts';

/** `/operator`: reading along and reassigning, for supervisors and admins. */
export function supervisionEvents(supervision: Supervision): OperatorFeature {
  return (ctx) => ({
    'supervisor:monitor': async (p) => {
      await ctx.supervisorOnly();
      const view = await supervision.monitor(p.conversationId, ctx.op);
      if (!ctx.watching.has(p.conversationId)) {
        ctx.watching.add(p.conversationId);
        await ctx.socket.join(watchRoom(p.conversationId));
      } else {
        await supervision.uncountRepeatedWatcher(p.conversationId); // a repeated look is not double counted
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
  });
}
