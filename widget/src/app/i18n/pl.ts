import { loader, plural } from '../../common/i18n/pl.ts';
import type { Catalogue } from './nl.ts';

const minutes = (n: number) => `${n} ${plural(n, 'minuta', 'minuty', 'minut')}`;

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
  wait: (seconds) => {
    if (seconds === null) return 'Nie wiemy jeszcze, jak długo to potrwa.';
    if (seconds < 60) return 'Przewidywany czas oczekiwania: mniej niż minuta.';
    if (seconds >= 5400) return 'Przewidywany czas oczekiwania: ponad godzina.';
    return `Przewidywany czas oczekiwania: około ${minutes(Math.round(seconds / 60))}.`;
  },
  waitWrite: 'Możesz już napisać, co się dzieje.',
  alternativesTitle: 'Trwa to dłużej niż zwykle',
  alternativesText: 'Zachowujesz swoje miejsce w kolejce. Nie chcesz czekać?',
  veiligThuis: 'Zadzwoń do Veilig Thuis: 0800-2000 (bezpłatnie, całą dobę)',
  danger112: 'W bezpośrednim zagrożeniu: zadzwoń pod 112',
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
  refused: {
    waiting_messages: 'Poczekaj, aż dołączy do Ciebie konsultant; potem możesz pisać dalej.',
    conversation_full: 'Ta rozmowa jest już za długa. Rozpocznij nową rozmowę, jeśli chcesz rozmawiać dalej.',
    conversation_ended: 'Ta rozmowa została już zakończona.',
  },
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
};
export default catalogue;
