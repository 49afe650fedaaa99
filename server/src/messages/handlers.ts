import type { Histogram } from 'prom-client';
import type { OperatorFeature, VisitorFeature } from '../sockets/features.ts';
import { afterAck } from '../sockets/guard.ts';
import { operatorRoom, watchRoom } from '../sockets/notifier.ts';
import type { MessageService } from './service.ts';

/** `/visitor`: messages and typing, on the socket's own conversation only. */
export function visitorMessageEvents(
  messages: MessageService,
  relaySeconds: Histogram<'direction'>,
): VisitorFeature {
  // The labelled child once, not a label lookup per message.
  const observe = relaySeconds.labels({ direction: 'visitor' });
  return (ctx) => ({
    'chat:message': async (p) => {
      const started = performance.now();
      const r = await messages.visitorMessage(ctx.own(), p.clientMessageId, p.text);
      // Stored: ack first, then relay.
      return {
        messageId: r.messageId,
        at: r.at,
        [afterAck]: () => {
          r.relay?.();
          observe.observe((performance.now() - started) / 1000);
        },
      };
    },
    'chat:typing': async (p) => {
      if (ctx.conversationId) await messages.visitorTyping(ctx.conversationId, p.typing);
      return undefined;
    },
  });
}

/** `/operator`: messages, typing and private notes, on conversations the operator holds. */
export function operatorMessageEvents(
  messages: MessageService,
  relaySeconds: Histogram<'direction'>,
): OperatorFeature {
  const observe = relaySeconds.labels({ direction: 'operator' });
  return ({ socket, op }) => ({
    'chat:message': async (p) => {
      const started = performance.now();
      const r = await messages.operatorMessage(p.conversationId, op.id, p.clientMessageId, p.text);
      return {
        messageId: r.messageId,
        at: r.at,
        [afterAck]: () => {
          if (!r.relay) return;
          r.relay();
          // The operator's other sockets (a second tab) see it too; the sender does not.
          socket.to(operatorRoom(op.id)).emit('chat:message', {
            conversationId: p.conversationId,
            messageId: r.messageId,
            from: 'operator',
            operatorId: op.id,
            text: p.text,
            at: r.at,
          });
          observe.observe((performance.now() - started) / 1000);
        },
      };
    },
    'chat:typing': async (p) => {
      await messages.operatorTyping(p.conversationId, op.id, p.typing);
      return undefined;
    },
    'chat:note': async (p) => {
      const note = await messages.addNote(p.conversationId, op.id, p.text, p.clientNoteId);
      // The operator's other sockets and any supervisor reading along; never the visitor. A
      // resend goes out again: the first attempt may have failed before this emit, and
      // consoles merge notes by `noteId`.
      socket.to([operatorRoom(op.id), watchRoom(p.conversationId)]).emit('chat:note', note);
      return { noteId: note.noteId, at: note.at };
    },
  });
}
