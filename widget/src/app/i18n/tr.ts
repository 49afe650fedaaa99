import { loader } from '../../common/i18n/tr.ts';
import type { Catalogue } from './nl.ts';

const catalogue: Catalogue = {
  ...loader,
  hide: 'Gizle',
  heading: 'Bir danışmanla isminizi vermeden konuşun',
  intro: 'Ücretsiz, gece gündüz. Hiçbir şeyi sesli söylemeniz gerekmez.',
  exitNoticeTitle: 'Hızlıca çıkmanız mı gerekiyor?',
  exitNotice:
    'Hızlı çıkış düğmesi, 3 kez Shift veya 2 kez Esc bu ekranı hemen boşaltır ve bir hava durumu sayfası açar. Bu sohbet tarayıcınızda hiçbir şey saklamaz. Hızlı çıkış tarayıcı geçmişinizi silmez: gerekirse kendiniz silin.',
  whoLegend: 'Kim yazıyor?',
  roleVictim: 'Konu benimle ilgili',
  roleConcerned: 'Yakınımdaki biri için endişeleniyorum',
  roleBystander: 'Bir şey gördüm veya duydum',
  roleProfessional: 'Profesyonelim',
  roleRequired: 'Önce kimin yazdığını seçin.',
  languageLabel: 'Dil',
  urgentLabel: 'Şu anda tehlikedeyim',
  urgentTitle: 'Tehlikede misiniz? 112’yi arayın',
  urgentText:
    'Konuşabiliyorsanız 112’yi arayın. Konuşamıyorsanız bizimle yazışın: 112’yi sizin için biz arayabiliriz.',
  call112: '112’yi arayın',
  firstMessageLabel: 'Şimdiden bir şey anlatmak ister misiniz? Boş bırakabilirsiniz.',
  start: 'Sohbeti başlat',
  starting: 'Bağlanıyor…',
  startFailed: 'Şu anda bağlantı yok. Lütfen biraz sonra tekrar deneyin.',
  haveReturnCode: 'Dönüş kodum var',
  returnTitle: 'Sohbetinize geri dönün',
  returnLabel: 'Dönüş kodu',
  returnHelp: 'Bu kodu sohbetiniz başladığında aldınız.',
  resume: 'Sohbetime devam et',
  back: 'Geri',
  returnFailed:
    'Bu kod çalışmıyor (artık). Bir kod yalnızca bir kez ve ayrıldıktan kısa süre sonrasına kadar çalışır. Yeni bir sohbet başlatabilirsiniz.',
  yourReturnCode: 'Dönüş kodunuz:',
  returnCodeHelp: (windowMinutes) =>
    `Hızlıca çıkmak zorunda mı kaldınız? Bu kodla ${windowMinutes} dakika içinde bu sohbete geri dönebilirsiniz.`,
  returnCodeAdvice: 'Kodu ezberlemeniz daha iyi. Yalnızca güvenliyse bir yere yazın.',
  waitingTitle: 'Sıradasınız',
  position: (n) => (n <= 1 ? 'Sıradaki sizsiniz.' : `Sırada ${n}. kişisiniz.`),
  wait: (w) => {
    const prefix = 'Tahmini bekleme süresi:';
    switch (w.kind) {
      case 'unstaffed':
        return 'Şu anda yanıt verebilecek kimse yok. Sıradaki yeriniz korunuyor: biri gelir gelmez size yanıt verilecek.';
      case 'unknown':
        return 'Ne kadar süreceğini henüz bilmiyoruz.';
      case 'under-minute':
        return `${prefix} bir dakikadan az.`;
      case 'over-hour':
        return `${prefix} bir saatten fazla.`;
      case 'up-to':
        return `${prefix} en fazla yaklaşık ${w.max} dakika.`;
      case 'about':
        return `${prefix} yaklaşık ${w.minutes} dakika.`;
      case 'range':
        return `${prefix} yaklaşık ${w.min}–${w.max} dakika.`;
    }
  },
  waitWrite: 'Neler olduğunu şimdiden yazabilirsiniz.',
  alternativesTitle: 'Bekleme her zamankinden uzun sürüyor',
  alternativesText: 'Sıradaki yeriniz korunuyor. Beklemek istemiyor musunuz?',
  veiligThuis: 'Veilig Thuis’i arayın: 0800-2000 (ücretsiz, gece gündüz)',
  danger112: 'Acil tehlikede: 112’yi arayın',
  alternativesNowTitle: 'Şimdi biriyle konuşmak ister misiniz?',
  alternativesNowText: 'Bu numaralar ücretsizdir ve gece gündüz ulaşılabilir:',
  languageFallbackSoon:
    'Şu anda dilinizi konuşan kimse yok. Bu uzun sürerse, sohbetinizi İngilizce veya Felemenkçe yanıt verebilecek bir meslektaşımız devralacak.',
  languageFallbackNow:
    'Şu anda dilinizi konuşan müsait kimse yok. Sohbetinizi İngilizce veya Felemenkçe yanıt verebilecek bir meslektaşımız devralacak.',
  openLimitTitle: 'Şu anda yeni bir sohbet başlatamazsınız',
  openLimitText:
    'Bu bağlantıdan zaten çok sayıda sohbet açık. Daha önce bir sohbetiniz var mıydı? Dönüş kodunuzla devam edin.',
  blockedTitle: 'Şu anda sohbet mümkün değil',
  blockedText:
    'Şu anda bir sohbet başlatamazsınız. Biriyle konuşmak ister misiniz? Veilig Thuis’i arayın. Acil tehlikede: 112’yi arayın.',
  closedTitle: 'Sohbet şu anda kapalı',
  closedText: 'Çalışma saatleri dışında burada sohbet başlatamazsınız. Sohbet açıkken tekrar gelin.',
  openingHours: 'Çalışma saatleri',
  hoursZone: (tz) =>
    tz === 'Europe/Amsterdam'
      ? 'Tüm saatler Hollanda saatidir (Amsterdam).'
      : `Tüm saatler ${tz} saat dilimindedir.`,
  closedDay: 'kapalı',
  returnThrottled: (s) => `Çok fazla kod denendi. Lütfen ${s} saniye sonra tekrar deneyin.`,
  refused: {
    'waiting-messages':
      'Beklerken çok sayıda mesaj gönderdiniz. Bu mesaj gönderilmedi; hâlâ yazma alanında duruyor. Bir danışman geldiğinde gönderin.',
    'too-fast':
      'Mesajları çok hızlı art arda gönderiyorsunuz. Bu mesaj gönderilmedi; hâlâ yazma alanında duruyor. Birazdan tekrar deneyin.',
    'conversation-full':
      'Bu sohbet çok uzadı: daha fazla mesaj eklenemiyor. Bu mesaj gönderilmedi; hâlâ yazma alanında duruyor. Konuşmaya devam etmek ister misiniz? Veilig Thuis’i arayın; acil tehlikede 112’yi arayın.',
  },
  talkingWith: (name) => `${name} ile konuşuyorsunuz`,
  assigned: (name) => `${name} şimdi sizinle.`,
  operatorFallback: 'Danışman',
  messagesLabel: 'Mesajlar',
  you: 'Siz',
  helpline: 'Stille Lijn',
  typing: (name) => `${name} yazıyor…`,
  composerLabel: 'Mesajınız',
  composerHint: 'Enter gönderir, Shift+Enter yeni satır başlatır.',
  send: 'Gönder',
  charsLeft: (n) => `${n} karakter kaldı`,
  pending: 'Gönderiliyor…',
  sent: 'Gönderildi',
  failed: 'Gönderilemedi.',
  retry: 'Tekrar gönder',
  offline: 'Bağlantı bir anlığına koptu. Tekrar deniyoruz; mesajlarınız korunuyor.',
  end: 'Sohbeti bitir',
  endConfirmTitle: 'Sohbet bitirilsin mi?',
  endConfirmText: 'Sohbet sona erer ve her şey bu ekrandan silinir. Bu sohbete geri dönemezsiniz.',
  endConfirm: 'Evet, bitir',
  endCancel: 'Hayır, devam et',
  ended: {
    operator: 'Danışman sohbeti bitirdi.',
    visitor: 'Sohbet sona erdi.',
    timeout: 'Bir süre ses gelmediği için sohbet sona erdi.',
    blocked: 'Sohbet sona erdi.',
    lost: 'Bu sohbetle bağlantı kesildi. Yeni bir sohbet başlatabilirsiniz.',
  },
  clear: 'Sil ve yeniden başla',
  cleared: 'Sohbet sona erdi ve bu ekrandan silindi.',
  clearedPending: 'Sohbet bu ekrandan silindi. Bağlantı geri gelir gelmez sohbeti kapatacağız.',
};
export default catalogue;
