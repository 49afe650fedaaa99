import type { OperatorServerToClientEvents, VisitorServerToClientEvents } from '@stille-lijn/shared';

/** An event map, as the shared protocol declares them. */
// biome-ignore lint/suspicious/noExplicitAny: the widest listener type, as Socket.IO's own EventsMap
type EventsMap = { [event: string]: (...args: any[]) => void };
type EventNames<E extends EventsMap> = keyof E & string;
type EventParams<E extends EventsMap, Ev extends EventNames<E>> = Parameters<E[Ev]>;

/** Rooms: one per conversation's visitor, per operator, per watched conversation, and two groups. */
export const visitorRoom = (conversationId: string) => `v:${conversationId}`;
/**
 * The room a conversation's messages reach its visitor in: one per return-code floor (the
 * conversation's `vfloor`, '' before any redemption). A socket joins the room of the floor
 * it came in under; a message goes to the room of the floor it was stored under. So a
 * message stored before a redemption, but relayed after the redeeming socket joined (its
 * reply or WAIT came late), never reaches that socket (PROTOCOL.md, version 2).
 */
export const visitorMessageRoom = (conversationId: string, floor: string) => `vm:${conversationId}:${floor}`;
export const operatorRoom = (operatorId: string) => `op:${operatorId}`;
export const watchRoom = (conversationId: string) => `watch:${conversationId}`;
/** Every signed-in console. */
export const ROOM_OPERATORS = 'operators';
/** Every signed-in supervisor and admin. */
export const ROOM_SUPERVISORS = 'supervisors';
/** Version 2 (lines): the supervisors and admins of one line (admins are in every line's). */
export const supervisorLineRoom = (lineId: string) => `sup-line:${lineId}`;

/** What can emit to the rooms of one namespace: Socket.IO's namespace, or the Redis emitter in a worker. */
export interface RoomEmitter<E extends EventsMap> {
  to(room: string | string[]): {
    emit<Ev extends EventNames<E>>(ev: Ev, ...args: EventParams<E, Ev>): unknown;
  };
}

export interface Channels {
  visitor: RoomEmitter<VisitorServerToClientEvents>;
  operator: RoomEmitter<OperatorServerToClientEvents>;
  /**
   * The lines whose members may reach a conversation now (`LineAccess.linesOf`): notices
   * about it go to those lines' supervisors only. Without it, to every supervisor.
   */
  linesOf?: (conversationId: string) => Promise<string[]>;
}

type V = VisitorServerToClientEvents;
type O = OperatorServerToClientEvents;

/**
 * Every push from the server to clients, typed with the shared event maps. Works the same
 * from a server (Socket.IO and its Redis adapter reach the other instances) and from a
 * worker process (the Redis emitter).
 */
export class Notifier {
  readonly #c: Channels;
  constructor(channels: Channels) {
    this.#c = channels;
  }

  /** The visitor of one conversation (every socket attached to it). */
  toVisitor<Ev extends EventNames<V>>(conversationId: string, ev: Ev, ...args: EventParams<V, Ev>): void {
    this.#c.visitor.to(visitorRoom(conversationId)).emit(ev, ...args);
  }

  /**
   * A message to the visitor of one conversation: to the sockets that came in under the
   * floor it was stored under (`visitorMessageRoom`).
   */
  toVisitorMessage(conversationId: string, floor: string, ...args: EventParams<V, 'chat:message'>): void {
    this.#c.visitor.to(visitorMessageRoom(conversationId, floor)).emit('chat:message', ...args);
  }

  /** Every socket of one operator. */
  toOperator<Ev extends EventNames<O>>(operatorId: string, ev: Ev, ...args: EventParams<O, Ev>): void {
    this.#c.operator.to(operatorRoom(operatorId)).emit(ev, ...args);
  }

  /** Every socket of each of these operators (one emit, however many). */
  toOperators<Ev extends EventNames<O>>(
    operatorIds: readonly string[],
    ev: Ev,
    ...args: EventParams<O, Ev>
  ): void {
    if (operatorIds.length === 0) return;
    this.#c.operator.to(operatorIds.map(operatorRoom)).emit(ev, ...args);
  }

  /** Supervisors reading along with one conversation. */
  toWatchers<Ev extends EventNames<O>>(conversationId: string, ev: Ev, ...args: EventParams<O, Ev>): void {
    this.#c.operator.to(watchRoom(conversationId)).emit(ev, ...args);
  }

  /** Every signed-in supervisor and admin. */
  toSupervisors<Ev extends EventNames<O>>(ev: Ev, ...args: EventParams<O, Ev>): void {
    this.#c.operator.to(ROOM_SUPERVISORS).emit(ev, ...args);
  }

  /**
   * The signed-in supervisors and admins of these lines (admins are in every line's room),
   * each socket once however many of the lines it shares: notices about a person rather
   * than a conversation, such as an operator's `debrief-request`. No lines, nobody.
   */
  toSupervisorsOfLines<Ev extends EventNames<O>>(
    lines: Iterable<string>,
    ev: Ev,
    ...args: EventParams<O, Ev>
  ): void {
    const rooms = [...lines].map(supervisorLineRoom);
    if (rooms.length > 0) this.#c.operator.to(rooms).emit(ev, ...args);
  }

  /**
   * The signed-in supervisors and admins whose lines may reach the conversation
   * (PROTOCOL.md, "Lines"): `supervisor:alert` and `report:status` about it. Sent once the
   * lines are read; a failed read sends nothing rather than to every line.
   */
  toSupervisorsAbout<Ev extends EventNames<O>>(
    conversationId: string,
    ev: Ev,
    ...args: EventParams<O, Ev>
  ): Promise<void> {
    return this.toSupervisorsAboutKept(conversationId, [], ev, ...args);
  }

  /**
   * As `toSupervisorsAbout`, and also to the supervisors of `kept`, each socket once: a
   * notice about a record that outlives its conversation (a report keeps the lines it was
   * made on), so that it still reaches them once the conversation is purged.
   */
  toSupervisorsAboutKept<Ev extends EventNames<O>>(
    conversationId: string,
    kept: readonly string[],
    ev: Ev,
    ...args: EventParams<O, Ev>
  ): Promise<void> {
    const linesOf = this.#c.linesOf;
    if (!linesOf) {
      this.toSupervisors(ev, ...args);
      return Promise.resolve();
    }
    return linesOf(conversationId).then((lines) =>
      this.toSupervisorsOfLines(new Set([...lines, ...kept]), ev, ...args),
    );
  }

  /** Every signed-in console. */
  toConsoles<Ev extends EventNames<O>>(ev: Ev, ...args: EventParams<O, Ev>): void {
    this.#c.operator.to(ROOM_OPERATORS).emit(ev, ...args);
  }
}
