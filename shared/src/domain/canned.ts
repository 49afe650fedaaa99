import { z } from 'zod';
import { type Language, languageSchema, languages } from '../protocol/common.ts';

/**
 * Canned responses: texts for visitors, in each visitor language (Dutch, English, Arabic,
 * Turkish, Polish). These are the defaults the server starts with; supervisors manage the
 * live list through `/api/canned`.
 */
export const cannedResponseSchema = z.object({
  /** Shared by the translations of one response. */
  id: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9-]+$/),
  /** The visitor language the text is written in. */
  language: languageSchema,
  title: z.string().trim().min(1).max(80),
  text: z.string().trim().min(1).max(2000),
  /** Extra search words. @default [] */
  keywords: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});
export interface CannedResponse {
  id: string;
  language: Language;
  title: string;
  text: string;
  /** Extra search words. */
  keywords: readonly string[];
}

export type CannedLanguage = CannedResponse['language'];
/** Every language a canned response can be written in, Dutch first. */
export const cannedLanguages: readonly CannedLanguage[] = languages;

/** Id of the opening safety check, the first thing an operator asks. */
export const SAFETY_CHECK_ID = 'safety-check';

/**
 * The responses that must exist in every visitor language: the safety check, the 112
 * script (acute danger, where, may we call, help is coming) and the most used texts.
 * A visitor on the language fallback meets an operator who may not speak their language;
 * these at least reach them in it.
 */
export const essentialCannedIds = [
  SAFETY_CHECK_ID,
  'emergency-112',
  'acute-location',
  'acute-consent',
  'acute-help-coming',
  'veilig-thuis',
  'welcome',
  'quick-exit',
  'still-there',
  'take-time',
  'not-your-fault',
  'closing',
] as const;

/** One response in all five languages: `[title, text, keywords]` per language. */
type Translations = Record<Language, readonly [title: string, text: string, keywords: readonly string[]]>;

const all = (id: string, t: Translations): CannedResponse[] =>
  languages.map((language) => {
    const [title, text, keywords] = t[language];
    return { id, language, title, text, keywords };
  });

export const defaultCannedResponses: readonly CannedResponse[] = [
  ...all(SAFETY_CHECK_ID, {
    nl: [
      'Veiligheidscheck',
      'Is het nu veilig om te chatten? Kan iemand meelezen? Hoeveel tijd heb je?',
      ['veilig', 'meelezen', 'tijd', 'start', 'begin'],
    ],
    en: [
      'Safety check',
      'Is it safe to chat right now? Could anyone be reading along? How much time do you have?',
      ['safe', 'reading', 'time', 'start'],
    ],
    ar: [
      'فحص الأمان',
      'هل من الآمن أن تدردش الآن؟ هل يمكن لأحد أن يقرأ ما تكتبه؟ كم لديك من الوقت؟',
      ['أمان', 'آمن', 'وقت', 'بداية', 'safe'],
    ],
    tr: [
      'Güvenlik kontrolü',
      'Şu anda yazışmanız güvenli mi? Yazdıklarınızı okuyabilecek biri var mı? Ne kadar vaktiniz var?',
      ['güvenli', 'okuyan', 'vakit', 'başlangıç', 'safe'],
    ],
    pl: [
      'Sprawdzenie bezpieczeństwa',
      'Czy możesz teraz bezpiecznie pisać? Czy ktoś może czytać tę rozmowę? Ile masz czasu?',
      ['bezpiecznie', 'czyta', 'czas', 'początek', 'safe'],
    ],
  }),
  ...all('welcome', {
    nl: [
      'Welkom',
      'Hoi, je chat met Stille Lijn. Ik lees met je mee en ik ben er voor je. Je vertelt alleen wat je zelf wilt.',
      ['hallo', 'hoi', 'begroeting'],
    ],
    en: [
      'Welcome',
      "Hi, you're chatting with Stille Lijn. I'm here for you and reading along. You only share what you want to share.",
      ['hello', 'hi', 'greeting'],
    ],
    ar: [
      'ترحيب',
      'مرحباً، أنت تدردش مع Stille Lijn. أنا هنا من أجلك وأقرأ ما تكتبه. شارك فقط ما تريد أن تشاركه.',
      ['مرحبا', 'أهلا', 'ترحيب', 'hello'],
    ],
    tr: [
      'Hoş geldiniz',
      'Merhaba, Stille Lijn ile yazışıyorsunuz. Sizin için buradayım ve yazdıklarınızı okuyorum. Yalnızca anlatmak istediklerinizi anlatın.',
      ['merhaba', 'selam', 'karşılama', 'hello'],
    ],
    pl: [
      'Powitanie',
      'Cześć, piszesz ze Stille Lijn. Jestem tu dla ciebie i czytam, co piszesz. Opowiadasz tylko to, czym chcesz się podzielić.',
      ['cześć', 'dzień dobry', 'powitanie', 'hello'],
    ],
  }),
  ...all('quick-exit', {
    nl: [
      'Snel weg uitleggen',
      'Komt er iemand aan? Druk dan op "Snel weg": het scherm verdwijnt meteen. Met je terugkomcode kun je daarna nog even terugkomen.',
      ['snel', 'weg', 'terugkomcode', 'exit'],
    ],
    en: [
      'Explain quick exit',
      'If someone comes in, press "Quick exit": the screen disappears at once. With your return code you can come back for a short while afterwards.',
      ['quick', 'exit', 'return code'],
    ],
    ar: [
      'شرح الخروج السريع',
      'هل يقترب أحد منك؟ اضغط على «خروج سريع»: ستختفي الشاشة فوراً. وبرمز العودة يمكنك الرجوع إلى المحادثة لفترة قصيرة بعد ذلك.',
      ['خروج', 'سريع', 'رمز العودة', 'exit'],
    ],
    tr: [
      'Hızlı çıkışı açıklamak',
      'Biri mi geliyor? "Hızlı çıkış" düğmesine basın: ekran hemen kaybolur. Dönüş kodunuzla kısa bir süre sonra sohbete geri dönebilirsiniz.',
      ['hızlı', 'çıkış', 'dönüş kodu', 'exit'],
    ],
    pl: [
      'Wyjaśnienie szybkiego wyjścia',
      'Ktoś nadchodzi? Naciśnij „Szybkie wyjście”: ekran od razu zniknie. Z kodem powrotu możesz potem przez krótki czas wrócić do rozmowy.',
      ['szybkie', 'wyjście', 'kod powrotu', 'exit'],
    ],
  }),
  ...all('take-time', {
    nl: ['Neem je tijd', 'Neem rustig de tijd. Ik blijf hier.', ['rustig', 'wachten']],
    en: ['Take your time', "Take your time. I'll stay right here.", ['wait', 'calm']],
    ar: ['خذ وقتك', 'خذ وقتك، سأبقى هنا معك.', ['وقت', 'انتظار', 'wait']],
    tr: ['Acele etmeyin', 'Acele etmeyin, ben buradayım.', ['acele', 'bekleme', 'wait']],
    pl: ['Nie spiesz się', 'Nie spiesz się. Jestem tutaj.', ['spokojnie', 'czekam', 'wait']],
  }),
  ...all('still-there', {
    nl: [
      'Ben je er nog?',
      'Ben je er nog? Als je nu even niet kunt chatten, is dat helemaal goed.',
      ['stil', 'reactie'],
    ],
    en: [
      'Are you still there?',
      "Are you still there? If you can't chat right now, that's completely fine.",
      ['silent', 'reply'],
    ],
    ar: [
      'هل ما زلت هنا؟',
      'هل ما زلت هنا؟ إذا لم تستطع الكتابة الآن، فلا بأس في ذلك أبداً.',
      ['صمت', 'رد', 'silent'],
    ],
    tr: [
      'Hâlâ orada mısınız?',
      'Hâlâ orada mısınız? Şu anda yazamıyorsanız, bu hiç sorun değil.',
      ['sessiz', 'yanıt', 'silent'],
    ],
    pl: [
      'Jesteś tam jeszcze?',
      'Jesteś tam jeszcze? Jeśli teraz nie możesz pisać, to zupełnie w porządku.',
      ['cisza', 'odpowiedź', 'silent'],
    ],
  }),
  ...all('not-your-fault', {
    nl: [
      'Niet jouw schuld',
      'Wat er gebeurt is niet jouw schuld. Goed dat je contact zoekt.',
      ['schuld', 'steun'],
    ],
    en: [
      'Not your fault',
      "What is happening is not your fault. I'm glad you reached out.",
      ['blame', 'support'],
    ],
    ar: ['ليس ذنبك', 'ما يحدث ليس ذنبك. من الجيد أنك تواصلت معنا.', ['ذنب', 'دعم', 'blame']],
    tr: [
      'Sizin suçunuz değil',
      'Yaşananlar sizin suçunuz değil. Bize ulaşmanız çok iyi oldu.',
      ['suç', 'destek', 'blame'],
    ],
    pl: [
      'To nie twoja wina',
      'To, co się dzieje, nie jest twoją winą. Dobrze, że do nas piszesz.',
      ['wina', 'wsparcie', 'blame'],
    ],
  }),
  ...all('emergency-112', {
    nl: [
      'Bij direct gevaar',
      'Ben je nu in direct gevaar? Bel 112 als je kunt praten. Kun je niet praten, zeg het dan hier: wij kunnen 112 voor je bellen.',
      ['112', 'gevaar', 'nood', 'politie'],
    ],
    en: [
      'In immediate danger',
      "Are you in immediate danger right now? Call 112 if you can talk. If you can't, tell me here: we can call 112 for you.",
      ['112', 'danger', 'emergency', 'police'],
    ],
    ar: [
      'عند الخطر الداهم',
      'هل أنت في خطر داهم الآن؟ اتصل بالرقم 112 إذا كنت تستطيع الكلام. إذا لم تستطع الكلام، فأخبرني هنا: يمكننا أن نتصل بالرقم 112 من أجلك.',
      ['112', 'خطر', 'طوارئ', 'شرطة'],
    ],
    tr: [
      'Acil tehlikede',
      'Şu anda acil bir tehlike içinde misiniz? Konuşabiliyorsanız 112’yi arayın. Konuşamıyorsanız bunu bana buradan yazın: 112’yi sizin için biz arayabiliriz.',
      ['112', 'tehlike', 'acil', 'polis'],
    ],
    pl: [
      'W bezpośrednim zagrożeniu',
      'Czy jesteś teraz w bezpośrednim zagrożeniu? Jeśli możesz mówić, zadzwoń pod 112. Jeśli nie możesz mówić, napisz mi o tym tutaj: możemy zadzwonić pod 112 za ciebie.',
      ['112', 'zagrożenie', 'nagły', 'policja'],
    ],
  }),
  ...all('acute-location', {
    nl: [
      'Acuut: waar ben je?',
      'Waar ben je nu? Noem als het kan het adres, of anders de plaats en de gemeente.',
      ['112', 'adres', 'locatie', 'acuut'],
    ],
    en: [
      'Acute: where are you?',
      'Where are you right now? If you can, give the address, or otherwise the town and municipality.',
      ['112', 'address', 'location', 'acute'],
    ],
    ar: [
      'خطر داهم: أين أنت؟',
      'أين أنت الآن؟ اكتب العنوان إن استطعت، وإلا فاكتب اسم المدينة أو القرية والبلدية.',
      ['112', 'عنوان', 'مكان', 'خطر'],
    ],
    tr: [
      'Acil: neredesiniz?',
      'Şu anda neredesiniz? Mümkünse adresi yazın; değilse şehri ve belediyeyi yazın.',
      ['112', 'adres', 'konum', 'acil'],
    ],
    pl: [
      'Pilne: gdzie jesteś?',
      'Gdzie jesteś teraz? Jeśli możesz, podaj adres, a jeśli nie, to miejscowość i gminę.',
      ['112', 'adres', 'miejsce', 'pilne'],
    ],
  }),
  ...all('acute-consent', {
    nl: [
      'Acuut: mogen we 112 bellen?',
      'Wil je dat wij nu 112 voor je bellen?',
      ['112', 'toestemming', 'bellen', 'acuut'],
    ],
    en: [
      'Acute: may we call 112?',
      'Do you want us to call 112 for you now?',
      ['112', 'consent', 'call', 'acute'],
    ],
    ar: [
      'خطر داهم: هل نتصل بالرقم 112؟',
      'هل تريد أن نتصل بالرقم 112 من أجلك الآن؟',
      ['112', 'موافقة', 'اتصال', 'خطر'],
    ],
    tr: [
      'Acil: 112’yi arayalım mı?',
      '112’yi şimdi sizin için aramamızı ister misiniz?',
      ['112', 'onay', 'arama', 'acil'],
    ],
    pl: [
      'Pilne: czy mamy zadzwonić pod 112?',
      'Czy chcesz, żebyśmy teraz zadzwonili za ciebie pod 112?',
      ['112', 'zgoda', 'telefon', 'pilne'],
    ],
  }),
  ...all('acute-help-coming', {
    nl: [
      'Acuut: hulp onderweg',
      'We hebben 112 gebeld. Er is hulp onderweg. Blijf als het kan in de chat.',
      ['112', 'hulp', 'onderweg', 'acuut'],
    ],
    en: [
      'Acute: help is coming',
      'We have called 112. Help is on its way. Stay in the chat if you can.',
      ['112', 'help', 'coming', 'acute'],
    ],
    ar: [
      'خطر داهم: المساعدة في الطريق',
      'لقد اتصلنا بالرقم 112. المساعدة في الطريق إليك. ابقَ في الدردشة إن استطعت.',
      ['112', 'مساعدة', 'الطريق', 'خطر'],
    ],
    tr: [
      'Acil: yardım yolda',
      '112’yi aradık. Yardım yolda. Mümkünse sohbette kalın.',
      ['112', 'yardım', 'yolda', 'acil'],
    ],
    pl: [
      'Pilne: pomoc jest w drodze',
      'Zadzwoniliśmy pod 112. Pomoc jest w drodze. Jeśli możesz, zostań na czacie.',
      ['112', 'pomoc', 'w drodze', 'pilne'],
    ],
  }),
  ...all('veilig-thuis', {
    nl: [
      'Veilig Thuis 0800-2000',
      'Veilig Thuis is dag en nacht gratis bereikbaar op 0800-2000. Je kunt daar advies vragen of een melding doen.',
      ['veilig thuis', 'melding', 'telefoon', 'advies'],
    ],
    en: [
      'Veilig Thuis 0800-2000',
      'Veilig Thuis can be reached free of charge, day and night, on 0800-2000. You can ask for advice there or make a report.',
      ['veilig thuis', 'report', 'phone', 'advice'],
    ],
    ar: [
      'Veilig Thuis 0800-2000',
      'يمكنك الاتصال بـ Veilig Thuis مجاناً ليلاً ونهاراً على الرقم 0800-2000. هناك يمكنك طلب النصيحة أو تقديم بلاغ.',
      ['veilig thuis', 'بلاغ', 'هاتف', 'نصيحة'],
    ],
    tr: [
      'Veilig Thuis 0800-2000',
      'Veilig Thuis’e gece gündüz ücretsiz olarak 0800-2000 numarasından ulaşabilirsiniz. Orada tavsiye alabilir veya bildirimde bulunabilirsiniz.',
      ['veilig thuis', 'bildirim', 'telefon', 'tavsiye'],
    ],
    pl: [
      'Veilig Thuis 0800-2000',
      'Z Veilig Thuis możesz skontaktować się bezpłatnie, w dzień i w nocy, pod numerem 0800-2000. Możesz tam poprosić o radę albo zgłosić przemoc.',
      ['veilig thuis', 'zgłoszenie', 'telefon', 'rada'],
    ],
  }),
  ...all('report-consent', {
    nl: [
      'Melding: toestemming',
      'Wil je dat we samen een melding doen bij Veilig Thuis? Jij bepaalt wat je deelt.',
      ['melding', 'toestemming', 'veilig thuis'],
    ],
    en: [
      'Report: consent',
      'Would you like us to make a report to Veilig Thuis together? You decide what you share.',
      ['report', 'consent', 'veilig thuis'],
    ],
    ar: [
      'البلاغ: الموافقة',
      'هل تريد أن نقدّم معاً بلاغاً إلى Veilig Thuis؟ أنت من يقرر ما تشاركه.',
      ['بلاغ', 'موافقة', 'veilig thuis'],
    ],
    tr: [
      'Bildirim: onay',
      'Veilig Thuis’e birlikte bildirimde bulunmamızı ister misiniz? Neyi paylaşacağınıza siz karar verirsiniz.',
      ['bildirim', 'onay', 'veilig thuis'],
    ],
    pl: [
      'Zgłoszenie: zgoda',
      'Czy chcesz, żebyśmy razem zgłosili sprawę do Veilig Thuis? To ty decydujesz, czym się dzielisz.',
      ['zgłoszenie', 'zgoda', 'veilig thuis'],
    ],
  }),
  ...all('traces', {
    nl: [
      'Sporen wissen',
      'Tip: wis na dit gesprek je browsergeschiedenis als dat veilig kan. "Snel weg" doet dat niet voor je.',
      ['geschiedenis', 'sporen', 'browser'],
    ],
    en: [
      'Clearing traces',
      'Tip: after this chat, clear your browser history if it is safe to do so. "Quick exit" does not do that for you.',
      ['history', 'traces', 'browser'],
    ],
    ar: [
      'مسح الآثار',
      'نصيحة: بعد هذه المحادثة، امسح سجل المتصفح إذا كان ذلك آمناً. زر «خروج سريع» لا يفعل ذلك من أجلك.',
      ['سجل', 'آثار', 'متصفح', 'browser'],
    ],
    tr: [
      'İzleri silmek',
      'İpucu: Bu sohbetten sonra, güvenliyse tarayıcı geçmişinizi silin. "Hızlı çıkış" bunu sizin için yapmaz.',
      ['geçmiş', 'iz', 'tarayıcı', 'browser'],
    ],
    pl: [
      'Usuwanie śladów',
      'Wskazówka: po tej rozmowie wyczyść historię przeglądarki, jeśli to bezpieczne. „Szybkie wyjście” tego za ciebie nie robi.',
      ['historia', 'ślady', 'przeglądarka', 'browser'],
    ],
  }),
  ...all('closing', {
    nl: [
      'Afsluiten',
      'Dank je wel voor je vertrouwen. Je kunt altijd terugkomen, dag en nacht. Pas goed op jezelf.',
      ['einde', 'afscheid', 'doei'],
    ],
    en: [
      'Closing',
      'Thank you for trusting us. You can always come back, day and night. Take good care of yourself.',
      ['end', 'goodbye', 'bye'],
    ],
    ar: [
      'الختام',
      'شكراً على ثقتك بنا. يمكنك العودة في أي وقت، ليلاً ونهاراً. اعتنِ بنفسك جيداً.',
      ['نهاية', 'وداع', 'bye'],
    ],
    tr: [
      'Kapanış',
      'Bize güvendiğiniz için teşekkür ederiz. Gece gündüz, istediğiniz zaman geri gelebilirsiniz. Kendinize iyi bakın.',
      ['son', 'veda', 'bye'],
    ],
    pl: [
      'Zakończenie',
      'Dziękujemy za zaufanie. Możesz wrócić zawsze, w dzień i w nocy. Dbaj o siebie.',
      ['koniec', 'pożegnanie', 'bye'],
    ],
  }),
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
