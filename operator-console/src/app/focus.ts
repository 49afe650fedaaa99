/** Moves focus to the element with this id, if it is on screen. */
export function focusById(id: string): void {
  document.getElementById(id)?.focus();
}

/** The first "accept" in the queue, or the queue's heading when nobody waits. */
export function focusQueue(): void {
  const accept = document.querySelector<HTMLElement>('[data-sl="accept"]');
  (accept ?? document.getElementById('queue-heading'))?.focus();
}

/** The composer of the open conversation when it can take input, else the conversation's tab. */
export function focusConversation(conversationId: string | undefined, prefer: 'composer' | 'tab'): void {
  if (prefer === 'composer') {
    const composer = document.getElementById('composer');
    if (composer instanceof HTMLTextAreaElement && !composer.disabled) {
      composer.focus();
      return;
    }
  }
  const tab = conversationId === undefined ? null : document.getElementById(`tab-${conversationId}`);
  (tab ?? document.getElementById('conversations-heading'))?.focus();
}
