import type { OperatorFeature } from '../sockets/features.ts';
import type { Blocks } from './service.ts';

/** `/operator`: blocking an abusive visitor (the holding operator, or a supervisor). */
export function blockEvents(blocks: Blocks): OperatorFeature {
  return ({ op, supervisor }) => ({
    'chat:block': async (p) => {
      await blocks.block(p.conversationId, { id: op.id, displayName: op.displayName, supervisor });
      return {};
    },
  });
}
