import { AppError, refusal } from '@stille-lijn/shared';
import { systemMessage } from '@stille-lijn/shared/domain/system-messages';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { ConversationRecord, ConversationStore, Ended } from '../conversations/index.ts';
import type { MessageService } from '../messages/index.ts';
import type { Presence } from '../presence/index.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { OperatorRef, Roster, Router } from '../routing/index.ts';
import type { Supervision } from '../supervision/index.ts';

/** A debrief request alerts and is audited at most once per operator in this window. */
export const DEBRIEF_WINDOW_MS = 5 * 60_000;

export interface ShiftDeps {
  store: ConversationStore;
  roster: Roster;
  router: Router;
  presence: Presence;
  messages: MessageService;
  supervision: Supervision;
  audit: AuditLog;
  config: Readonly<Config>;
  log: Logger;
  keys: RedisKeys;
}

/**
 * Operators are people: a break after a conversation with a high risk level or acute
 * danger, a debrief asked of a supervisor, and the end of a shift, which hands every
 * conversation on with a note.
 */
export class Shift {
  readonly #d: ShiftDeps;
  constructor(deps: ShiftDeps) {
    this.#d = deps;
  }

  /**
   * The break (ms) that the holder of a conversation ending in their hands goes on:
   * BREAK_AFTER_HIGH_RISK_MIN after a high risk level or acute danger, else none. The end
   * script sets it (`ConversationLifecycle.setBreakRule`), in the step that frees their place.
   */
  breakAfter(record: ConversationRecord): number {
    const ms = this.#d.config.breakAfterHighRiskMs;
    return ms > 0 && this.#wasHighRisk(record) ? ms : 0;
  }

  /**
   * After an operator's conversation with a high risk level or acute danger ends: it counts
   * for the supervisors' view of the shift, and the break the end began (no automatic
   * assignment; its `break-end` job is queued by the end's own steps) is told to the operator.
   */
  async afterEnded(e: Ended): Promise<void> {
    const operatorId = e.record.operatorId;
    if (!operatorId || e.previous !== 'active') return;
    if (!this.#wasHighRisk(e.record)) return;
    await this.#d.roster.countHighRisk(operatorId);
    if (e.breakUntil <= 0) return;
    await this.#d.router.pushOperatorState(operatorId);
    await this.#d.audit.record('break', 'system', operatorId);
  }

  #wasHighRisk(record: ConversationRecord): boolean {
    const { sealed } = record;
    if (sealed.acute) return true;
    if (!sealed.risk) return false;
    try {
      const risk = JSON.parse(this.#d.store.open(record.id, 'risk', sealed.risk)) as {
        level?: string;
      };
      return risk.level === 'high';
    } catch {
      return false;
    }
  }

  /** Job: the break is over; the operator is available again, unless they changed their status meanwhile. */
  async breakOver(operatorId: string, until: number): Promise<boolean> {
    const now = await this.#d.roster.status(operatorId);
    if (now.status !== 'break' || now.breakUntil !== until) return false;
    await this.#d.presence.setStatus(operatorId, 'available');
    return true;
  }

  /**
   * `operator:debrief`: an operator (on a break) asks a supervisor to talk. Only the
   * supervisors of the operator's lines (and the admins) hear of it: it names the operator.
   * Alerted and audited once per operator per `DEBRIEF_WINDOW_MS`, gated in Redis with the
   * audit entry (`AuditLog.recordOncePer`), so that every instance agrees: a repeat asks
   * nothing new, and emitting it in a loop must neither flood the supervisors nor push
   * older entries out of the capped audit stream. Repeats are answered as the first.
   * @returns whether the supervisors were alerted
   */
  async debrief(op: OperatorRef): Promise<boolean> {
    const lines = await this.#d.router.linesOf(op.lines);
    const gate = this.#d.keys.auditOnce('debrief-request', op.id);
    const first = await this.#d.audit.recordOncePer(
      { gate, windowMs: DEBRIEF_WINDOW_MS },
      'debrief-request',
      op.id,
      '',
    );
    // `=== true`, not truthiness: a change of what `recordOncePer` answers fails to compile here.
    if (first !== true) return false;
    this.#d.supervision.alert(
      {
        kind: 'debrief-request',
        operatorId: op.id,
        operatorName: op.displayName,
        at: new Date().toISOString(),
      },
      lines,
    );
    return true;
  }

  /**
   * `operator:handover`: the end of a shift. The caller becomes `away` (nothing new is
   * assigned), then every active conversation goes to the colleague or back to the queue,
   * each with the note; each visitor is told that a colleague takes over. A colleague who
   * has no room for all of them is refused before anything moves. Audited (`handover`)
   * only when a conversation moved. A conversation whose move or its notices failed (a Redis
   * failover) does not stop the others; the caller is then answered `unavailable`, and asks
   * again for what is still theirs (a holder not told is told by a job: `Router`).
   */
  async handover(
    op: OperatorRef,
    to: { operatorId: string } | { queue: true },
    note: string | undefined,
  ): Promise<{ moved: number }> {
    const ids = await this.#d.roster.conversationsOf(op.id);
    if ('operatorId' in to) {
      if (to.operatorId === op.id) throw refusal('self_transfer');
      const target = await this.#d.roster.target(to.operatorId);
      if (!target) throw refusal('operator_offline');
      const { load } = await this.#d.roster.state(to.operatorId);
      if (load + ids.length > target.capacity) {
        throw refusal('colleague_full', {
          message: 'That colleague has no room for all of these conversations.',
        });
      }
    }
    await this.#d.presence.setStatus(op.id, 'away');
    let moved = 0;
    let failed = 0;
    for (const id of ids) {
      try {
        await this.#d.router.transfer(id, op, to, note);
      } catch (err) {
        // Ended or taken meanwhile: the rest still moves.
        if (err instanceof AppError) continue;
        failed++;
        this.#d.log.warn(
          { err, operatorId: op.id, conversationId: id },
          'hand-over of a conversation failed',
        );
        continue;
      }
      moved++;
      try {
        const r = await this.#d.store.read(id);
        await this.#d.messages.systemMessage(id, systemMessage('handover', r?.language ?? 'nl'));
      } catch (err) {
        failed++;
        this.#d.log.warn({ err, operatorId: op.id, conversationId: id }, 'hand-over message not sent');
      }
    }
    // A hand-over that moved nothing changed nothing to record (each conversation moved has
    // its own `transfer` entry besides): repeated at will, it must not write to the capped
    // stream. The status is not audited.
    if (moved > 0) await this.#d.audit.record('handover', op.id, '');
    this.#d.log.info({ operatorId: op.id, moved, failed }, 'shift handed over');
    if (failed > 0) throw new AppError('unavailable', 'Not every conversation was handed over. Try again.');
    return { moved };
  }
}
