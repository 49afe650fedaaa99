import type { FastifyInstance } from 'fastify';
import type { LineMember } from './access.ts';

/**
 * Puts the conversations an operator holds on lines the account no longer reaches (its
 * lines changed, or it lost the admin role) back in their queues, their place kept:
 * nobody would otherwise be left who may answer them. Audited as `requeue-lines`.
 * @returns how many went back
 */
export async function requeueUnreachable(
  app: FastifyInstance,
  operatorId: string,
  account: LineMember,
): Promise<number> {
  let moved = 0;
  for (const conversationId of await app.roster.conversationsOf(operatorId)) {
    if (await app.lineAccess.mayReach(account, conversationId)) continue;
    if ((await app.router.requeue(conversationId, operatorId)).status !== 'ok') continue;
    moved++;
    app.notifier.toOperator(operatorId, 'chat:unassigned', { conversationId, reason: 'requeued' });
    await app.audit.record('requeue-lines', operatorId, conversationId);
  }
  if (moved > 0) {
    app.queueView.changed();
    void app.router.routeNow();
  }
  return moved;
}
