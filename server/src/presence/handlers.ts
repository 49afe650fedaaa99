import type { OperatorFeature } from '../sockets/features.ts';
import type { Presence } from './service.ts';

/** `/operator`: the operator's own status. */
export function presenceEvents(presence: Presence): OperatorFeature {
  return ({ op }) => ({
    'operator:status': async (p) => {
      await presence.setStatus(op.id, p.status);
      return { status: p.status };
    },
  });
}
