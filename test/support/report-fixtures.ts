import { scoreRisk } from '@stille-lijn/shared/domain/risk';

/**
 * The body of a victim's report to Utrecht (VR09), made with her consent: psychological
 * violence, no children, no contact, summary 'Bedreigd sinds de scheiding.'.
 * @param messageIds the messages it quotes as excerpts
 * @example JSON.stringify(victimReport([String(msg.messageId)]))
 */
export function victimReport(messageIds: string[] = []) {
  return {
    version: 1,
    region: 'VR09',
    acuteDanger: false,
    consent: { status: 'agreed' },
    reporter: { role: 'victim' },
    people: { children: [] },
    violence: { kinds: ['psychological'], danger: 'structural' },
    risk: scoreRisk({}),
    contact: { method: 'none' },
    summary: 'Bedreigd sinds de scheiding.',
    excerpts: messageIds.map((messageId) => ({ messageId })),
  };
}
