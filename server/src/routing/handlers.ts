import { refusal } from '@stille-lijn/shared';
import type { OperatorFeature } from '../sockets/features.ts';
import type { Router } from './router.ts';

/** `/operator`: taking a waiting conversation, and handing one on. */
export function routingEvents(router: Router): OperatorFeature {
  return ({ op }) => ({
    'chat:accept': async (p) => router.accept(p.conversationId, op),
    'chat:transfer': async (p) => {
      if ('operatorId' in p.to && p.to.operatorId === op.id) throw refusal('self_transfer');
      await router.transfer(p.conversationId, op, p.to, p.note);
      return {};
    },
  });
}
