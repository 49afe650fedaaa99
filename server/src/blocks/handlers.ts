import { AppError } from '@stille-lijn/shared';
import type { OperatorFeature } from '../sockets/features.ts';
import type { Blocks } from './service.ts';

/** `/operator`: blocking an abusive visitor (the holding operator, or a supervisor). */
export function blockEvents(blocks: Blocks): OperatorFeature {
  return ({ op, supervisor, supervisorOnly }) => ({
    'chat:block': async (p) => {
      // The role read at connect is checked again, as for supervisor events: a demoted
      // supervisor whose socket is not cut yet may block only what she holds. Redis out of
      // reach is `unavailable` (the console retries), not a lost role.
      const stillSupervisor =
        supervisor &&
        (await supervisorOnly().then(
          () => true,
          (err: unknown) => {
            if (err instanceof AppError && err.extra.reason === 'role_required') return false;
            throw err;
          },
        ));
      await blocks.block(p.conversationId, {
        id: op.id,
        displayName: op.displayName,
        supervisor: stillSupervisor,
      });
      return {};
    },
  });
}
