import { useEffect, useReducer } from 'preact/hooks';
import type { ChatSession, ChatState } from '../session.ts';

/** Re-renders the component whenever the session's state changes. */
export function useSession(session: ChatSession): ChatState {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => session.subscribe(() => rerender(undefined)), [session]);
  return session.state;
}
