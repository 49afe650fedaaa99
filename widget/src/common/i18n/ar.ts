import type { LoaderStrings } from './nl.ts';

export const loader: LoaderStrings = {
  languageName: 'العربية',
  dir: 'rtl',
  launcher: 'دردشة بدون ذكر الاسم',
  quickExit: 'خروج سريع',
  skipToChat: 'الانتقال إلى الدردشة',
  frameTitle: 'دردشة',
  shiftLeft: (left) => `اضغط Shift ${left} مرة أخرى للخروج بسرعة.`,
  escLeft: (left) => `اضغط Esc ${left} مرة أخرى للخروج بسرعة.`,
};
