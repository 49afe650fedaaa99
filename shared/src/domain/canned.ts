import { z } from 'zod';

/**
 * Canned responses: texts for visitors, per visitor language (Dutch and English).
 * These are the defaults the server starts with; supervisors manage the live list
 * through `/api/canned`.
 */
export const cannedResponseSchema = z.object({
  /** Shared by the translations of one response. */
  id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9-]+$/),
  language: z.enum(['nl', 'en']),
  title: z.string().trim().min(1).max(80),
  text: z.string().trim().min(1).max(2000),
  /** Extra search words. @default [] */
  keywords: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});
export interface CannedResponse {
  id: string;
  language: 'nl' | 'en';
  title: string;
  text: string;
  /** Extra search words. */
  keywords: readonly string[];
}

export type CannedLanguage = CannedResponse['language'];

const nl = (id: string, title: string, text: string, keywords: string[] = []): CannedResponse => ({
  id,
  language: 'nl',
  title,
  text,
  keywords,
});
const en = (id: string, title: string, text: string, keywords: string[] = []): CannedResponse => ({
  id,
  language: 'en',
  title,
  text,
  keywords,
});

/** Id of the opening safety check, the first thing an operator asks. */
export const SAFETY_CHECK_ID = 'safety-check';

export const defaultCannedResponses: readonly CannedResponse[] = [
  nl(
    SAFETY_CHECK_ID,
    'Veiligheidscheck',
    'Is het nu veilig om te chatten? Kan iemand meelezen? Hoeveel tijd heb je?',
    ['veilig', 'meelezen', 'tijd', 'start', 'begin'],
  ),
  en(
    SAFETY_CHECK_ID,
    'Safety check',
    'Is it safe to chat right now? Could anyone be reading along? How much time do you have?',
    ['safe', 'reading', 'time', 'start'],
  ),
  nl(
    'welcome',
    'Welkom',
    'Hoi, je chat met Stille Lijn. Ik lees met je mee en ik ben er voor je. Je vertelt alleen wat je zelf wilt.',
    ['hallo', 'hoi', 'begroeting'],
  ),
  en(
    'welcome',
    'Welcome',
    "Hi, you're chatting with Stille Lijn. I'm here for you and reading along. You only share what you want to share.",
    ['hello', 'hi', 'greeting'],
  ),
  nl(
    'quick-exit',
    'Snel weg uitleggen',
    'Komt er iemand aan? Druk dan op "Snel weg": het scherm verdwijnt meteen. Met je terugkomcode kun je daarna nog even terugkomen.',
    ['snel', 'weg', 'terugkomcode', 'exit'],
  ),
  en(
    'quick-exit',
    'Explain quick exit',
    'If someone comes in, press "Quick exit": the screen disappears at once. With your return code you can come back for a short while afterwards.',
    ['quick', 'exit', 'return code'],
  ),
  nl('take-time', 'Neem je tijd', 'Neem rustig de tijd. Ik blijf hier.', ['rustig', 'wachten']),
  en('take-time', 'Take your time', "Take your time. I'll stay right here.", ['wait', 'calm']),
  nl(
    'still-there',
    'Ben je er nog?',
    'Ben je er nog? Als je nu even niet kunt chatten, is dat helemaal goed.',
    ['stil', 'reactie'],
  ),
  en(
    'still-there',
    'Are you still there?',
    "Are you still there? If you can't chat right now, that's completely fine.",
    ['silent', 'reply'],
  ),
  nl('not-your-fault', 'Niet jouw schuld', 'Wat er gebeurt is niet jouw schuld. Goed dat je contact zoekt.', [
    'schuld',
    'steun',
  ]),
  en('not-your-fault', 'Not your fault', "What is happening is not your fault. I'm glad you reached out.", [
    'blame',
    'support',
  ]),
  nl(
    'emergency-112',
    'Bij direct gevaar',
    'Ben je nu in direct gevaar? Bel 112 als je kunt praten. Kun je niet praten, zeg het dan hier: wij kunnen 112 voor je bellen.',
    ['112', 'gevaar', 'nood', 'politie'],
  ),
  en(
    'emergency-112',
    'In immediate danger',
    "Are you in immediate danger right now? Call 112 if you can talk. If you can't, tell me here: we can call 112 for you.",
    ['112', 'danger', 'emergency', 'police'],
  ),
  nl(
    'acute-location',
    'Acuut: waar ben je?',
    'Waar ben je nu? Noem als het kan het adres, of anders de plaats en de gemeente.',
    ['112', 'adres', 'locatie', 'acuut'],
  ),
  en(
    'acute-location',
    'Acute: where are you?',
    'Where are you right now? If you can, give the address, or otherwise the town and municipality.',
    ['112', 'address', 'location', 'acute'],
  ),
  nl('acute-consent', 'Acuut: mogen we 112 bellen?', 'Wil je dat wij nu 112 voor je bellen?', [
    '112',
    'toestemming',
    'bellen',
    'acuut',
  ]),
  en('acute-consent', 'Acute: may we call 112?', 'Do you want us to call 112 for you now?', [
    '112',
    'consent',
    'call',
    'acute',
  ]),
  nl(
    'acute-help-coming',
    'Acuut: hulp onderweg',
    'We hebben 112 gebeld. Er is hulp onderweg. Blijf als het kan in de chat.',
    ['112', 'hulp', 'onderweg', 'acuut'],
  ),
  en(
    'acute-help-coming',
    'Acute: help is coming',
    'We have called 112. Help is on its way. Stay in the chat if you can.',
    ['112', 'help', 'coming', 'acute'],
  ),
  nl(
    'veilig-thuis',
    'Veilig Thuis 0800-2000',
    'Veilig Thuis is dag en nacht gratis bereikbaar op 0800-2000. Je kunt daar advies vragen of een melding doen.',
    ['veilig thuis', 'melding', 'telefoon', 'advies'],
  ),
  en(
    'veilig-thuis',
    'Veilig Thuis 0800-2000',
    'Veilig Thuis can be reached free of charge, day and night, on 0800-2000. You can ask for advice there or make a report.',
    ['veilig thuis', 'report', 'phone', 'advice'],
  ),
  nl(
    'report-consent',
    'Melding: toestemming',
    'Wil je dat we samen een melding doen bij Veilig Thuis? Jij bepaalt wat je deelt.',
    ['melding', 'toestemming', 'veilig thuis'],
  ),
  en(
    'report-consent',
    'Report: consent',
    'Would you like us to make a report to Veilig Thuis together? You decide what you share.',
    ['report', 'consent', 'veilig thuis'],
  ),
  nl(
    'traces',
    'Sporen wissen',
    'Tip: wis na dit gesprek je browsergeschiedenis als dat veilig kan. "Snel weg" doet dat niet voor je.',
    ['geschiedenis', 'sporen', 'browser'],
  ),
  en(
    'traces',
    'Clearing traces',
    'Tip: after this chat, clear your browser history if it is safe to do so. "Quick exit" does not do that for you.',
    ['history', 'traces', 'browser'],
  ),
  nl(
    'closing',
    'Afsluiten',
    'Dank je wel voor je vertrouwen. Je kunt altijd terugkomen, dag en nacht. Pas goed op jezelf.',
    ['einde', 'afscheid', 'doei'],
  ),
  en(
    'closing',
    'Closing',
    'Thank you for trusting us. You can always come back, day and night. Take good care of yourself.',
    ['end', 'goodbye', 'bye'],
  ),
];

/** The canned response with this id in this language, falling back to Dutch. */
export function cannedText(
  list: readonly CannedResponse[],
  id: string,
  language: string,
): string | undefined {
  const preferred = list.find((c) => c.id === id && c.language === language);
  return (preferred ?? list.find((c) => c.id === id && c.language === 'nl'))?.text;
}
