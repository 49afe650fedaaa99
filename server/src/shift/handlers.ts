import type { OperatorFeature } from '../sockets/features.ts';
import type { Shift } from './service.ts';

/** `/operator`: the end of a shift, and a debrief request. */
export function shiftEvents(shift: Shift): OperatorFeature {
  return ({ op }) => ({
    'operator:handover': async (p) => shift.handover(op, p.to, p.note),
    // `{}` to every request, whether it alerted or fell in its window (`Shift.debrief`): the
    // console confirms it either way, and the supervisors were asked.
    'operator:debrief': async () => {
      await shift.debrief(op);
      return {};
    },
  });
}
