import type { OperatorFeature } from '../sockets/features.ts';
import type { SignalService } from './service.ts';

/** `/operator`: dismissing a wrong danger signal. */
export function signalEvents(signals: SignalService): OperatorFeature {
  return ({ op }) => ({
    'signal:dismiss': async (p) => ({
      conversation: await signals.dismiss(p.conversationId, op.id, p.category),
    }),
  });
}
