import type { OperatorFeature } from '../sockets/features.ts';
import type { Assessment } from './service.ts';

/** `/operator`: tags, the risk checklist and acute danger, on conversations the operator holds. */
export function assessmentEvents(assessment: Assessment): OperatorFeature {
  return ({ op }) => ({
    'chat:tags': async (p) => ({ conversation: await assessment.setTags(p.conversationId, op.id, p.tags) }),
    'chat:risk': async (p) => ({ conversation: await assessment.saveRisk(p.conversationId, op.id, p.risk) }),
    'chat:acute': async (p) => ({
      conversation: await assessment.markAcute(p.conversationId, op, {
        location: p.location,
        consentToCall112: p.consentToCall112,
      }),
    }),
  });
}
