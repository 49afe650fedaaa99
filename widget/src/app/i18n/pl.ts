import { loader, plural } from '../../common/i18n/pl.ts';
import type { Catalogue } from './nl.ts';

const catalogue: Catalogue = {
  ...loader,
  hide: 'Ukryj',
  heading: 'Porozmawiaj anonimowo z konsultantem',
  intro: 'Za darmo, w dzień i w nocy. Nie musisz nic mówić na głos.',
  exitNoticeTitle: 'Musisz szybko wyjść?',
  exitNotice:
    'Przycisk Szybkie wyjście, trzykrotne naciśnięcie Shift lub dwukrotne Esc od razu czyści ten ekran i otwiera stronę z pogodą. Ten czat niczego nie zapisuje w przeglądarce. Szybkie wyjście nie usuwa historii przeglądarki: w razie potrzeby usuń ją sam(a).',
  whoLegend: 'Kto pisze?',
  roleVictim: 'Chodzi o mnie',
  roleConcerned: 'Martwię się o bliską mi osobę',
  roleBystander: 'Coś widziałem/widziałam lub słyszałem/słyszałam',
  roleProfessional: 'Jestem profesjonalistą',
  roleRequired: 'Najpierw wybierz, kto pisze.',
  languageLabel: 'Język',
  urgentLabel: 'Jestem teraz w niebezpieczeństwie',
  urgentTitle: 'W niebezpieczeństwie? Zadzwoń pod 112',
  urgentText:
    'Jeśli możesz mówić, zadzwoń pod 112. Jeśli nie możesz, napisz do nas: możemy zadzwonić pod 112 za ciebie.',
  call112: 'Zadzwoń pod 112',
  firstMessageLabel: 'Chcesz już coś napisać? To pole może zostać puste.',
  start: 'Rozpocznij czat',
  starting: 'Łączenie…',
  startFailed: 'Brak połączenia. Spróbuj ponownie za chwilę.',
  haveReturnCode: 'Mam kod powrotu',
  returnTitle: 'Powrót do rozmowy',
  returnLabel: 'Kod powrotu',
  returnHelp: 'Ten kod otrzymałeś/otrzymałaś na początku rozmowy.',
  resume: 'Kontynuuj rozmowę',
  back: 'Wstecz',
  returnFailed:
    'Ten kod nie działa (już). Kod działa tylko raz i tylko krótko po wyjściu. Możesz rozpocząć nową rozmowę.',
  yourReturnCode: 'Twój kod powrotu:',
  returnCodeHelp: (windowMinutes) =>
    `Musisz szybko wyjść? Z tym kodem wrócisz do tej rozmowy w ciągu ${windowMinutes} minut.`,
  returnCodeAdvice: 'Lepiej go zapamiętaj. Zapisz go tylko wtedy, gdy to bezpieczne.',
  waitingTitle: 'Jesteś w kolejce',
  position: (n) => (n <= 1 ? 'Jesteś następny/następna.' : `Jesteś ${n}. w kolejce.`),
  wait: (w) => {
    const prefix = 'Przewidywany czas oczekiwania:';
    // „około” and „do” take the genitive: około minuty, około 3 minut, około 2–4 minut.
    const genitive = (n: number) => (n === 1 ? 'minuty' : `${n} minut`);
    switch (w.kind) {
      case 'unstaffed':
        return 'Teraz nie ma nikogo, kto mógłby odpowiedzieć. Zachowujesz swoje miejsce w kolejce: gdy tylko ktoś się pojawi, dostaniesz odpowiedź.';
      case 'unknown':
        return 'Nie wiemy jeszcze, jak długo to potrwa.';
      case 'under-minute':
        return `${prefix} mniej niż minuta.`;
      case 'over-hour':
        return `${prefix} ponad godzina.`;
      case 'up-to':
        return `${prefix} do około ${genitive(w.max)}.`;
      case 'about':
        return `${prefix} około ${genitive(w.minutes)}.`;
      case 'range':
        return `${prefix} około ${w.min}–${w.max} minut.`;
    }
  },
  waitWrite: 'Możesz już napisać, co się dzieje.',
  alternativesTitle: 'Trwa to dłużej niż zwykle',
  alternativesText: 'Zachowujesz swoje miejsce w kolejce. Nie chcesz czekać?',
  veiligThuis: 'Zadzwoń do Veilig Thuis: 0800-2000 (bezpłatnie, całą dobę)',
  danger112: 'W bezpośrednim zagrożeniu: zadzwoń pod 112',
  alternativesNowTitle: 'Chcesz porozmawiać z kimś teraz?',
  alternativesNowText: 'Te numery są bezpłatne i czynne całą dobę:',
  languageFallbackSoon:
    'Teraz nie ma nikogo, kto mówi w twoim języku. Jeśli to potrwa zbyt długo, twoją rozmowę przejmie koleżanka lub kolega, który może odpowiadać po angielsku lub niderlandzku.',
  languageFallbackNow:
    'Teraz nie ma wolnej osoby, która mówi w twoim języku. Twoją rozmowę przejmie koleżanka lub kolega, który może odpowiadać po angielsku lub niderlandzku.',
  openLimitTitle: 'Nie możesz teraz rozpocząć nowej rozmowy',
  openLimitText:
    'Z tego połączenia otwartych jest już wiele rozmów. Masz już rozmowę? Wróć do niej za pomocą kodu powrotu.',
  blockedTitle: 'Czat nie jest teraz możliwy',
  blockedText:
    'W tej chwili nie możesz rozpocząć czatu. Chcesz z kimś porozmawiać? Zadzwoń do Veilig Thuis. W bezpośrednim zagrożeniu: zadzwoń pod 112.',
  closedTitle: 'Czat jest teraz zamknięty',
  closedText: 'Poza godzinami otwarcia nie możesz tu rozpocząć rozmowy. Wróć, gdy czat będzie otwarty.',
  openingHours: 'Godziny otwarcia',
  hoursZone: (tz) =>
    tz === 'Europe/Amsterdam'
      ? 'Wszystkie godziny podano według czasu holenderskiego (Amsterdam).'
      : `Wszystkie godziny podano w strefie czasowej ${tz}.`,
  closedDay: 'zamknięte',
  returnThrottled: (s) =>
    `Wypróbowano zbyt wiele kodów. Spróbuj ponownie za ${s} ${plural(s, 'sekundę', 'sekundy', 'sekund')}.`,
  refused: {
    'waiting-messages':
      'Podczas czekania wysłano już wiele wiadomości. Ta wiadomość nie została wysłana; nadal jest w polu tekstowym. Wyślij ją, gdy konsultant będzie z tobą.',
    'too-fast':
      'Wysyłasz wiadomości bardzo szybko jedna po drugiej. Ta wiadomość nie została wysłana; nadal jest w polu tekstowym. Spróbuj ponownie za chwilę.',
    'conversation-full':
      'Ta rozmowa jest już za długa: nie można dodać nic więcej. Ta wiadomość nie została wysłana; nadal jest w polu tekstowym. Chcesz rozmawiać dalej? Zadzwoń do Veilig Thuis, a w bezpośrednim zagrożeniu pod 112.',
  },
  talkingWith: (name) => `Rozmawiasz z: ${name}`,
  assigned: (name) => `${name} jest teraz z tobą.`,
  operatorFallback: 'Konsultant',
  messagesLabel: 'Wiadomości',
  you: 'Ty',
  helpline: 'Stille Lijn',
  typing: (name) => `${name} pisze…`,
  composerLabel: 'Twoja wiadomość',
  composerHint: 'Enter wysyła, Shift+Enter zaczyna nową linię.',
  send: 'Wyślij',
  charsLeft: (n) => `Pozostało znaków: ${n}`,
  pending: 'Wysyłanie…',
  sent: 'Wysłano',
  failed: 'Nie wysłano.',
  retry: 'Wyślij ponownie',
  offline: 'Połączenie na chwilę zniknęło. Próbujemy dalej; twoje wiadomości są zachowane.',
  end: 'Zakończ rozmowę',
  endConfirmTitle: 'Zakończyć rozmowę?',
  endConfirmText: 'Rozmowa się kończy i wszystko znika z tego ekranu. Nie można do niej wrócić.',
  endConfirm: 'Tak, zakończ',
  endCancel: 'Nie, kontynuuj',
  ended: {
    operator: 'Konsultant zakończył rozmowę.',
    visitor: 'Rozmowa została zakończona.',
    timeout: 'Rozmowa zakończyła się, ponieważ przez jakiś czas nic się nie działo.',
    blocked: 'Rozmowa została zakończona.',
    lost: 'Połączenie z tą rozmową zostało utracone. Możesz rozpocząć nową rozmowę.',
  },
  clear: 'Wyczyść i zacznij od nowa',
  cleared: 'Rozmowa została zakończona i usunięta z tego ekranu.',
  clearedPending: 'Rozmowa została usunięta z tego ekranu. Zamkniemy ją, gdy tylko wróci połączenie.',
};
export default catalogue;
