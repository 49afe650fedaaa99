import type { Language } from '../protocol/common.ts';

/**
 * What the helpline itself says in a conversation (`from: 'system'`), in the visitor's
 * language. Dutch first; the other languages need review by native speakers.
 */
export const systemMessages = {
  /** A shift ends: a colleague takes over the conversation. */
  handover: {
    nl: 'Een collega neemt dit gesprek van mij over. Je hoeft niets opnieuw te vertellen: zij of hij kan lezen wat je al schreef.',
    en: 'A colleague is taking over this conversation from me. You do not need to tell everything again: they can read what you already wrote.',
    ar: 'سيتولى زميل أو زميلة هذه المحادثة مني. لا داعي لإعادة كل شيء: يمكنهم قراءة ما كتبته بالفعل.',
    tr: 'Bir meslektaşım bu görüşmeyi benden devralıyor. Her şeyi yeniden anlatmanıza gerek yok: daha önce yazdıklarınızı okuyabilir.',
    pl: 'Rozmowę przejmuje ode mnie koleżanka lub kolega. Nie musisz opowiadać wszystkiego od nowa: może przeczytać to, co już napisałaś lub napisałeś.',
  },
} as const satisfies Record<string, Record<Language, string>>;

export type SystemMessage = keyof typeof systemMessages;

/** A system message in a language, Dutch when the language has none. */
export function systemMessage(key: SystemMessage, language: string): string {
  const texts: Record<string, string> = systemMessages[key];
  return texts[language] ?? systemMessages[key].nl;
}
