import { loader } from '../../common/i18n/ar.ts';
import type { Catalogue } from './nl.ts';

/** Seconds after «بعد» (genitive): 1, 2, 3–10 plural, 11+ singular. */
const seconds = (n: number) => {
  if (n === 1) return 'ثانية واحدة';
  if (n === 2) return 'ثانيتين';
  if (n <= 10) return `${n} ثوانٍ`;
  return `${n} ثانية`;
};

/** Arabic counts nouns in three forms: 1–2 have their own, 3–10 plural, 11+ singular accusative. */
const minutes = (n: number) => {
  if (n === 1) return 'دقيقة واحدة';
  if (n === 2) return 'دقيقتان';
  if (n <= 10) return `${n} دقائق`;
  return `${n} دقيقة`;
};

const catalogue: Catalogue = {
  ...loader,
  hide: 'إخفاء',
  heading: 'تحدّث مع مختص دون ذكر اسمك',
  intro: 'مجاناً، ليلاً ونهاراً. لا تحتاج إلى قول أي شيء بصوت عالٍ.',
  exitNoticeTitle: 'هل تحتاج إلى المغادرة بسرعة؟',
  exitNotice:
    'زر «خروج سريع» أو الضغط على Shift ثلاث مرات أو على Esc مرتين يمسح هذه الشاشة فوراً ويفتح صفحة للطقس. هذه الدردشة لا تحفظ شيئاً في متصفحك. الخروج السريع لا يمسح سجل المتصفح: امسحه بنفسك إذا لزم الأمر.',
  whoLegend: 'من يكتب؟',
  roleVictim: 'الأمر يتعلق بي',
  roleConcerned: 'أنا قلق على شخص قريب مني',
  roleBystander: 'رأيت أو سمعت شيئاً',
  roleProfessional: 'أنا مختص',
  roleRequired: 'اختر أولاً من يكتب.',
  languageLabel: 'اللغة',
  urgentLabel: 'أنا في خطر الآن',
  urgentTitle: 'في خطر؟ اتصل بالرقم 112',
  urgentText:
    'إذا كنت تستطيع الكلام، اتصل بالرقم 112. وإذا لم تستطع، تحدّث معنا هنا: يمكننا الاتصال بالرقم 112 نيابة عنك.',
  call112: 'اتصل بالرقم 112',
  firstMessageLabel: 'هل تريد أن تخبرنا بشيء الآن؟ يمكنك ترك هذا فارغاً.',
  start: 'ابدأ الدردشة',
  starting: 'جارٍ الاتصال…',
  startFailed: 'لا يوجد اتصال الآن. حاول مرة أخرى بعد قليل.',
  haveReturnCode: 'لدي رمز عودة',
  returnTitle: 'العودة إلى محادثتك',
  returnLabel: 'رمز العودة',
  returnHelp: 'حصلت على هذا الرمز عند بدء محادثتك.',
  resume: 'متابعة محادثتي',
  back: 'رجوع',
  returnFailed:
    'هذا الرمز لا يعمل (بعد الآن). يعمل الرمز مرة واحدة فقط، ولفترة قصيرة بعد المغادرة. يمكنك بدء محادثة جديدة.',
  yourReturnCode: 'رمز العودة الخاص بك:',
  returnCodeHelp: (windowMinutes) =>
    `هل اضطررت إلى المغادرة بسرعة؟ بهذا الرمز يمكنك العودة إلى هذه المحادثة خلال ${minutes(windowMinutes)}.`,
  returnCodeAdvice: 'من الأفضل أن تحفظه في ذاكرتك. لا تكتبه إلا إذا كان ذلك آمناً.',
  waitingTitle: 'أنت في قائمة الانتظار',
  position: (n) => (n <= 1 ? 'أنت التالي.' : `ترتيبك ${n} في قائمة الانتظار.`),
  wait: (w) => {
    const prefix = 'مدة الانتظار المتوقعة:';
    switch (w.kind) {
      case 'unstaffed':
        return 'لا يوجد أحد متاح للرد الآن. ستحتفظ بمكانك في قائمة الانتظار، وسيصلك رد فور توفّر أحد.';
      case 'unknown':
        return 'لا نعرف بعد كم سيستغرق الانتظار.';
      case 'under-minute':
        return `${prefix} أقل من دقيقة.`;
      case 'over-hour':
        return `${prefix} أكثر من ساعة.`;
      case 'up-to':
        return `${prefix} حتى ${minutes(w.max)} تقريباً.`;
      case 'about':
        return `${prefix} حوالي ${minutes(w.minutes)}.`;
      case 'range':
        return `${prefix} بين ${w.min} و${w.max} ${w.max <= 10 ? 'دقائق' : 'دقيقة'} تقريباً.`;
    }
  },
  waitWrite: 'يمكنك أن تكتب الآن ما يحدث.',
  alternativesTitle: 'الانتظار أطول من المعتاد',
  alternativesText: 'ستبقى في قائمة الانتظار. هل تفضّل عدم الانتظار؟',
  veiligThuis: 'اتصل بـ Veilig Thuis على الرقم 0800-2000 (مجاناً، ليلاً ونهاراً)',
  danger112: 'في حالة الخطر الداهم: اتصل بالرقم 112',
  alternativesNowTitle: 'هل تفضّل التحدث مع أحد الآن؟',
  alternativesNowText: 'هذه الأرقام مجانية ومتاحة ليلاً ونهاراً:',
  languageFallbackSoon:
    'لا يوجد الآن أحد يتحدث لغتك. إذا طال ذلك، سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
  languageFallbackNow:
    'لا يوجد الآن أحد متاح يتحدث لغتك. سيتولى محادثتك زميل أو زميلة قد يرد بالإنجليزية أو الهولندية.',
  openLimitTitle: 'لا يمكنك بدء محادثة جديدة الآن',
  openLimitText:
    'هناك محادثات كثيرة مفتوحة بالفعل من هذا الاتصال. هل كانت لديك محادثة من قبل؟ تابعها برمز العودة.',
  blockedTitle: 'الدردشة غير ممكنة الآن',
  blockedText:
    'لا يمكنك بدء دردشة في الوقت الحالي. هل تريد التحدث مع أحد؟ اتصل بـ Veilig Thuis. في حالة الخطر الداهم: اتصل بالرقم 112.',
  closedTitle: 'الدردشة مغلقة الآن',
  closedText: 'لا يمكنك بدء محادثة هنا خارج أوقات العمل. عُد عندما تكون الدردشة مفتوحة.',
  openingHours: 'أوقات العمل',
  hoursZone: (tz) =>
    tz === 'Europe/Amsterdam'
      ? 'جميع الأوقات بتوقيت هولندا (أمستردام).'
      : `جميع الأوقات بتوقيت المنطقة الزمنية ${tz}.`,
  closedDay: 'مغلق',
  returnThrottled: (s) => `تمت تجربة رموز كثيرة جداً. حاول مرة أخرى بعد ${seconds(s)}.`,
  refused: {
    'waiting-messages':
      'لقد أرسلت رسائل كثيرة أثناء الانتظار. لم تُرسَل هذه الرسالة، وما زالت في خانة الكتابة. أرسلها عندما يكون المختص معك.',
    'too-fast':
      'أنت ترسل الرسائل بسرعة كبيرة. لم تُرسَل هذه الرسالة، وما زالت في خانة الكتابة. حاول مرة أخرى بعد قليل.',
    'conversation-full':
      'أصبحت هذه المحادثة طويلة جداً ولا يمكن إضافة المزيد. لم تُرسَل هذه الرسالة، وما زالت في خانة الكتابة. هل تريد مواصلة الحديث؟ اتصل بـ Veilig Thuis، أو بالرقم 112 في حالة الخطر الداهم.',
  },
  talkingWith: (name) => `أنت تتحدث مع ${name}`,
  assigned: (name) => `${name} معك الآن.`,
  operatorFallback: 'المختص',
  messagesLabel: 'الرسائل',
  you: 'أنت',
  helpline: 'Stille Lijn',
  typing: (name) => `${name} يكتب…`,
  composerLabel: 'رسالتك',
  composerHint: 'Enter للإرسال، وShift+Enter لسطر جديد.',
  send: 'إرسال',
  charsLeft: (n) => `بقي ${n} حرفاً`,
  pending: 'جارٍ الإرسال…',
  sent: 'تم الإرسال',
  failed: 'لم يتم الإرسال.',
  retry: 'أعد الإرسال',
  offline: 'انقطع الاتصال للحظة. نحاول مرة أخرى؛ رسائلك محفوظة.',
  end: 'إنهاء المحادثة',
  endConfirmTitle: 'هل تريد إنهاء المحادثة؟',
  endConfirmText: 'ستتوقف المحادثة وسيختفي كل شيء من هذه الشاشة. لن تتمكن من العودة إليها.',
  endConfirm: 'نعم، إنهاء',
  endCancel: 'لا، متابعة',
  ended: {
    operator: 'أنهى المختص المحادثة.',
    visitor: 'انتهت المحادثة.',
    timeout: 'انتهت المحادثة لأنها كانت هادئة لفترة.',
    blocked: 'انتهت المحادثة.',
    lost: 'انقطع الاتصال بهذه المحادثة. يمكنك بدء محادثة جديدة.',
  },
  clear: 'امسح وابدأ من جديد',
  cleared: 'انتهت المحادثة ومُسحت من هذه الشاشة.',
  clearedPending: 'مُسحت المحادثة من هذه الشاشة. سنغلقها فور عودة الاتصال.',
};
export default catalogue;
