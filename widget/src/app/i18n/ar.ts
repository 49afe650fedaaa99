import { loader } from '../../common/i18n/ar.ts';
import type { Catalogue } from './nl.ts';

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
  wait: (seconds) => {
    if (seconds === null) return 'لا نعرف بعد كم سيستغرق الانتظار.';
    if (seconds < 60) return 'مدة الانتظار المتوقعة: أقل من دقيقة.';
    if (seconds >= 5400) return 'مدة الانتظار المتوقعة: أكثر من ساعة.';
    return `مدة الانتظار المتوقعة: حوالي ${minutes(Math.round(seconds / 60))}.`;
  },
  waitWrite: 'يمكنك أن تكتب الآن ما يحدث.',
  alternativesTitle: 'الانتظار أطول من المعتاد',
  alternativesText: 'ستبقى في قائمة الانتظار. هل تفضّل عدم الانتظار؟',
  veiligThuis: 'اتصل بـ Veilig Thuis على الرقم 0800-2000 (مجاناً، ليلاً ونهاراً)',
  danger112: 'في حالة الخطر الداهم: اتصل بالرقم 112',
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
  refused: {
    waiting_messages: 'يُرجى الانتظار حتى ينضم إليك المختص، وبعدها يمكنك كتابة المزيد.',
    conversation_full: 'أصبحت هذه المحادثة طويلة جدًا. ابدأ محادثة جديدة إذا أردت مواصلة الحديث.',
    conversation_ended: 'انتهت هذه المحادثة بالفعل.',
  },
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
};
export default catalogue;
