import { type Conversation, refusal, type SupervisorAlert } from '@stille-lijn/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { ConversationStore } from '../conversations/index.ts';
import { type LineMember, mayReach } from '../lines/access.ts';
import { readLined } from '../lines/line-access.ts';
import type { LineRegistry } from '../lines/registry.ts';
import type { OnCall } from '../oncall/index.ts';
import type { ConversationJobQueue } from '../queues/jobs.ts';
import type { RedisKeys } from '../redis/keys.ts';
import type { AssignedView, OperatorOnRoute, OperatorRef, Roster, Router } from '../routing/index.ts';
import type { OperatorContext } from '../sockets/features.ts';
import { type Notifier, watchRoom } from '../sockets/notifier.ts';

/**
 * How long one audit entry stands for a session's overview looks: the first look of each
 * window is recorded, so a console open all shift writes a dozen entries an hour rather
 * than one per 5 s poll, and a loop of calls cannot flood the audit stream.
 * @default 300000 (5 minutes)
 */
export const OVERVIEW_AUDIT_WINDOW_MS = 5 * 60_000;

export interface SupervisionDeps {
  redis: Redis;
  keys: RedisKeys;
  config: Readonly<Config>;
  oncall: OnCall;
  /** The BullMQ `conversations` queue, for the repeated urgent-waiting alert. */
  conversationsQueue: ConversationJobQueue;
  store: ConversationStore;
  roster: Roster;
  router: Router;
  notifier: Notifier;
  audit: AuditLog;
  /** The deployment's lines: whether a reader's lines still reach a conversation that moved. */
  lines: LineRegistry;
  /**
   * Has every other server instance re-check the read-alongs of its own sockets after a
   * move (`recheckReadAlongs` there), resolving once they did or did not answer in time.
   * Absent where there is nobody to tell.
   */
  otherInstances?: (conversationId: string, holder: string) => Promise<void>;
  /** For a read-along ended whose bookkeeping then failed (by error code only). */
  log: Pick<FastifyBaseLogger, 'warn'>;
}

/** A socket's account as the line rules see it: as it was when the socket connected (a change cuts it). */
const readerOf = (ctx: OperatorContext): LineMember => ({
  role: ctx.session.operator.role,
  lines: ctx.session.operator.lines,
});

/**
 * What supervisors see and do: read along (audited, the operator told), reassign, the
 * bulk overview (without checklist answers or acute locations), and alerts.
 */
export class Supervision {
  readonly #d: SupervisionDeps;
  /** This instance's supervisor and admin sockets: whose read-alongs a move re-checks here. */
  readonly #readers = new Set<OperatorContext>();
  constructor(deps: SupervisionDeps) {
    this.#d = deps;
  }

  /** Follows a supervisor's or admin's socket until it disconnects, for `recheckReadAlongs`. */
  trackReader(ctx: OperatorContext): void {
    this.#readers.add(ctx);
    ctx.socket.once('disconnect', () => this.#readers.delete(ctx));
  }

  /**
   * A conversation moved (`Router.onMoved`): a read-along lasts only while the reader's
   * lines reach the conversation, which a move to another line's queue, an assignment or a
   * requeue can change; and its new holder learns who reads along, as the first one did.
   * This instance's sockets are re-checked at once, every other instance's before this
   * resolves (as far as they answer), so the move's caller goes on only after the readers
   * who lost it stopped hearing of it. Nothing to do while nobody reads along.
   */
  async moved(conversationId: string, holder: string | undefined): Promise<void> {
    await this.recheckReadAlongs(conversationId, holder ?? '');
    if (!this.#d.otherInstances) return;
    const left = await this.#d.store.read(conversationId);
    if ((left?.watchers ?? 0) > 0) await this.#d.otherInstances(conversationId, holder ?? '');
  }

  /**
   * Re-checks the read-alongs of this instance's sockets on a conversation that moved: one
   * whose account's lines no longer reach it ends (`endReadAlong`); for each other one,
   * `holder` (when not '') gets `chat:monitored`.
   */
  async recheckReadAlongs(conversationId: string, holder: string): Promise<void> {
    const here = [...this.#readers].filter((ctx) => ctx.watching.has(conversationId));
    if (here.length === 0) return;
    const conv = await readLined(this.#d.redis, this.#d.keys.conversation(conversationId));
    if (!conv) return; // purged: nothing of it is sent any more
    const told = new Set<string>();
    for (const ctx of here) {
      if (!mayReach(this.#d.lines, readerOf(ctx), conv)) {
        // Each reader on its own: one whose bookkeeping fails (Redis away a moment) has
        // left the room already, and must not keep the next readers in theirs.
        await this.endReadAlong(ctx, conversationId).catch((err: unknown) =>
          this.#d.log.warn({ err }, 'a read-along ended, its bookkeeping did not'),
        );
      } else if (holder && holder !== ctx.op.id && !told.has(ctx.op.id)) {
        told.add(ctx.op.id);
        this.#d.notifier.toOperator(holder, 'chat:monitored', {
          conversationId,
          supervisorName: ctx.op.displayName,
          watching: true,
        });
      }
    }
  }

  /**
   * Whether the socket's account still reaches the conversation: asked again once a new
   * read-along has joined its room, for a move made between the event's line check and the join.
   */
  async stillReaches(ctx: OperatorContext, conversationId: string): Promise<boolean> {
    const conv = await readLined(this.#d.redis, this.#d.keys.conversation(conversationId));
    return conv !== null && mayReach(this.#d.lines, readerOf(ctx), conv);
  }

  /**
   * The server ends a socket's read-along: out of the room first, then its console is told
   * (`chat:monitored`, its own name, `watching: false`), the watcher uncounted and the stop
   * audited as `unmonitor`. Nobody else is told: the operator it was announced to no longer
   * holds the conversation. Once per read-along, however many paths get here.
   */
  async endReadAlong(ctx: OperatorContext, conversationId: string): Promise<void> {
    if (!ctx.watching.delete(conversationId)) return;
    // Leaving the room is local and cannot fail: whatever fails after, nothing more is sent.
    void ctx.socket.leave(watchRoom(conversationId));
    ctx.socket.emit('chat:monitored', {
      conversationId,
      supervisorName: ctx.op.displayName,
      watching: false,
    });
    await this.#d.store.addWatcher(conversationId, -1);
    await this.#d.audit.recordLook('unmonitor', ctx.op.id, conversationId);
  }

  /**
   * A supervisor starts reading along: everything is returned, the look is audited, the
   * operator told. The look is recorded first: past the account's look budget it is
   * refused (`rate_limited`) before anything is shown or counted, and nobody is told.
   */
  async monitor(
    conversationId: string,
    supervisor: { id: string; displayName: string },
  ): Promise<AssignedView> {
    const r = await this.#d.store.get(conversationId);
    await this.#d.audit.recordLook('monitor', supervisor.id, conversationId);
    await this.#d.store.addWatcher(conversationId, 1);
    if (r.operatorId) {
      this.#d.notifier.toOperator(r.operatorId, 'chat:monitored', {
        conversationId,
        supervisorName: supervisor.displayName,
        watching: true,
      });
    }
    return this.#d.router.assignedView(conversationId);
  }

  /** A supervisor stops reading along; the stop is audited (never refused) and the operator told. */
  async unmonitor(conversationId: string, supervisor: { id: string; displayName: string }): Promise<void> {
    await this.#d.store.addWatcher(conversationId, -1);
    await this.#d.audit.recordLook('unmonitor', supervisor.id, conversationId);
    const op = await this.#d.store.lastOperatorOf(conversationId);
    if (op) {
      this.#d.notifier.toOperator(op, 'chat:monitored', {
        conversationId,
        supervisorName: supervisor.displayName,
        watching: false,
      });
    }
  }

  /**
   * A supervisor moves a conversation from whoever holds it, to a colleague or back to the
   * queue. Audited as one `reassign` by the supervisor: the holder did not act. Taking it
   * oneself shows its whole content, so it is first a look (`read`), within the look budget
   * as reading along is: past it, `rate_limited` and nothing moves.
   */
  async reassign(
    conversationId: string,
    supervisor: OperatorRef,
    to: { operatorId: string } | { queue: true },
  ): Promise<void> {
    const r = await this.#d.store.get(conversationId);
    const toOperator = 'operatorId' in to ? to.operatorId : undefined;
    const holder = r.state === 'active' ? r.operatorId : '';
    if (!holder && (r.state !== 'waiting' || toOperator === undefined))
      throw refusal(r.state === 'ended' ? 'conversation_ended' : 'not_active');
    if (toOperator === supervisor.id) await this.#d.audit.recordLook('read', supervisor.id, conversationId);
    if (holder) {
      await this.#d.router.transfer(
        conversationId,
        { id: holder, displayName: r.operatorName, languages: [] },
        to,
        undefined,
        { action: 'reassign', actorId: supervisor.id },
      );
    } else if (toOperator !== undefined) {
      await this.#d.router.assignTo(conversationId, toOperator, {
        action: 'reassign',
        actorId: supervisor.id,
      });
    }
  }

  /**
   * A `supervisor:monitor` repeated on a socket that already reads along: `monitor` counted
   * the watcher again, and this takes that back. Reading along goes on, so nothing is
   * audited and the operator is not told it stopped.
   */
  async uncountRepeatedWatcher(conversationId: string): Promise<void> {
    await this.#d.store.addWatcher(conversationId, -1);
  }

  /**
   * Active conversations with their operators, for the supervisor view. A bulk view: it
   * carries the risk level but not the checklist answers, and that acute danger was marked
   * but not where the visitor is. Reading one conversation (`monitor`) shows the rest.
   * The look is audited, once per session and `OVERVIEW_AUDIT_WINDOW_MS`: the console polls
   * it every few seconds, and each poll is the same look.
   */
  async overview(
    viewer: { id: string; sessionId: string },
    scope: LineScope = everyLine,
  ): Promise<{ conversations: Conversation[]; operators: OperatorOnRoute[] }> {
    const all = await this.#d.redis.smembers(this.#d.keys.active);
    const ids = await keep(all, (id) => scope.mayReach(id));
    const [conversations, operators] = await Promise.all([
      Promise.all(ids.map((id) => this.#d.store.conversation(id).catch(() => null))).then((list) =>
        list.filter((c): c is Conversation => c !== null).map(forBulkView),
      ),
      this.#d.roster.onRoute().then((list) => keep(list, (o) => scope.sharesLine(o.id))),
    ]);
    await this.#d.audit.recordOncePer(
      { gate: this.#d.keys.auditOnce('overview', viewer.sessionId), windowMs: OVERVIEW_AUDIT_WINDOW_MS },
      'overview',
      viewer.id,
      '',
    );
    return { conversations, operators };
  }

  /**
   * The colleagues an operator can hand a conversation to: everyone signed in to the
   * console but the caller, with their status and load (`GET /api/colleagues`). How a
   * colleague's shift went (high-risk conversations, breaks) is for supervisors only.
   */
  async colleaguesOf(operatorId: string, scope: LineScope = everyLine): Promise<Colleague[]> {
    const online = (await this.#d.roster.onRoute()).filter((o) => o.id !== operatorId && o.connected);
    return (await keep(online, (o) => scope.sharesLine(o.id)))
      .map(({ id, displayName, status, load, capacity, connected }) => ({
        id,
        displayName,
        status,
        load,
        capacity,
        connected,
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'nl'));
  }

  /**
   * Job: an urgent conversation has waited URGENT_ALERT_S unassigned. Supervisors are
   * alerted and the on-call phone paged; again every URGENT_ALERT_REPEAT_S while it waits.
   * A conversation taken, ended or no longer urgent stops the repeats.
   */
  async urgentStillWaiting(conversationId: string): Promise<boolean> {
    const r = await this.#d.store.read(conversationId);
    if (r?.state !== 'waiting' || !r.urgent) return false;
    const again = () =>
      this.#d.conversationsQueue.add(
        'urgent-alert',
        { conversationId },
        { delay: this.#d.config.urgentAlertRepeatMs },
      );
    // A visitor who left (quick exit, lost connection) cannot be answered until they are
    // back: no alert for an empty chair, but the repeats go on in case they return.
    if (r.away) {
      await again();
      return false;
    }
    this.alert({
      kind: 'urgent-waiting',
      conversationId,
      waitedSeconds: Math.max(0, Math.round((Date.now() - r.waitingSince) / 1000)),
      at: new Date().toISOString(),
    });
    this.#d.oncall.page('urgent-waiting', this.#d.store.lineOf(r.line));
    await again();
    return true;
  }

  /**
   * Sends an alert to the signed-in supervisors and admins concerned (from a server or a
   * worker process). Alerts follow lines (PROTOCOL.md, "Lines"): one about a conversation
   * goes to the lines that may reach it; one about a person (`debrief-request`) to the
   * lines given, those of the person. None goes to every supervisor.
   */
  alert(alert: SupervisorAlert & { conversationId: string }): void;
  alert(alert: SupervisorAlert & { conversationId?: undefined }, lines: Iterable<string>): void;
  alert(alert: SupervisorAlert, lines?: Iterable<string>): void {
    if (alert.conversationId === undefined) {
      this.#d.notifier.toSupervisorsOfLines(lines ?? [], 'supervisor:alert', alert);
      return;
    }
    void this.#d.notifier.toSupervisorsAbout(alert.conversationId, 'supervisor:alert', alert).catch(() => {});
  }

  /**
   * As `alert` about a conversation, for a caller that keeps the alert owed until it went
   * out: resolves once it was sent, rejects when the conversation's lines could not be
   * read (and nothing was sent).
   */
  alertAbout(alert: SupervisorAlert & { conversationId: string }): Promise<void> {
    return this.#d.notifier.toSupervisorsAbout(alert.conversationId, 'supervisor:alert', alert);
  }
}

/**
 * Version 2 (lines): what a caller's lines let them see in the overview and the colleagues
 * list: the conversations their lines may reach, the colleagues who share a line with them.
 */
export interface LineScope {
  mayReach(conversationId: string): Promise<boolean>;
  sharesLine(operatorId: string): Promise<boolean>;
}
const everyLine: LineScope = { mayReach: async () => true, sharesLine: async () => true };

async function keep<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<T[]> {
  const verdicts = await Promise.all(items.map(test));
  return items.filter((_, i) => verdicts[i]);
}

/** A colleague as another operator sees them (`GET /api/colleagues`). */
export type Colleague = Pick<
  OperatorOnRoute,
  'id' | 'displayName' | 'status' | 'load' | 'capacity' | 'connected'
>;

/**
 * A conversation in a bulk view: the risk level without the answers, acute danger without
 * the location, danger signals without where in her words they were read.
 */
export function forBulkView(c: Conversation): Conversation {
  const out: Conversation = { ...c };
  // The level (an override included) and the score; no answer, red flag or written reason.
  if (c.risk) out.risk = { answers: {}, score: c.risk.score, level: c.risk.level, redFlags: [] };
  if (c.acute) out.acute = { at: c.acute.at, markedBy: c.acute.markedBy };
  // Category and weight, as a queue item shows them; the spans point into her messages.
  if (c.signals) out.signals = c.signals.map((s) => ({ category: s.category, weight: s.weight, spans: [] }));
  return out;
}
