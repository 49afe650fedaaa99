/**
 * Dutch, the default language and the reference catalogue: every other language file is
 * typed against it. Adding a language is one file in this folder, named after its code in
 * `languages` (shared/src/protocol/common.ts), and one in common/i18n for the loader.
 */
import { loader } from '../../common/i18n/nl.ts';
import type { WaitWords } from '../wait.ts';

const minutes = (n: number) => (n === 1 ? '1 minuut' : `${n} minuten`);

const catalogue = {
  ...loader,
  hide: 'Verbergen',
  heading: 'Praat anoniem met een hulpverlener',
  intro: 'Gratis, dag en nacht. Je hoeft niets hardop te zeggen.',
  exitNoticeTitle: 'Moet je snel weg?',
  exitNotice:
    'Met de knop Snel weg, 3 keer Shift of 2 keer Esc wordt dit scherm meteen leeg en ga je naar een weerbericht. Deze chat bewaart niets in je browser. Snel weg wist je browsergeschiedenis niet: wis die zelf als dat nodig is.',
  whoLegend: 'Wie schrijft er?',
  roleVictim: 'Het gaat over mij',
  roleConcerned: 'Ik maak me zorgen om iemand in mijn omgeving',
  roleBystander: 'Ik heb iets gezien of gehoord',
  roleProfessional: 'Ik ben professional',
  roleRequired: 'Kies eerst wie er schrijft.',
  languageLabel: 'Taal',
  urgentLabel: 'Ik ben nu in gevaar',
  urgentTitle: 'In gevaar? Bel 112',
  urgentText: 'Kun je praten? Bel 112. Kun je niet praten? Chat met ons: wij kunnen 112 voor je bellen.',
  call112: 'Bel 112',
  firstMessageLabel: 'Wil je alvast iets vertellen? Dit mag leeg blijven.',
  start: 'Start de chat',
  starting: 'Verbinden…',
  startFailed: 'Er is nu geen verbinding. Probeer het zo opnieuw.',
  haveReturnCode: 'Ik heb een terugkeercode',
  returnTitle: 'Terug naar je gesprek',
  returnLabel: 'Terugkeercode',
  returnHelp: 'Je kreeg deze code toen je gesprek begon.',
  resume: 'Verder met mijn gesprek',
  back: 'Terug',
  returnFailed:
    'Deze code werkt niet (meer). Een code werkt één keer, en alleen kort na het weggaan. Je kunt een nieuw gesprek beginnen.',
  yourReturnCode: 'Jouw terugkeercode:',
  returnCodeHelp: (windowMinutes: number) =>
    `Moest je snel weg? Met deze code kom je binnen ${minutes(windowMinutes)} terug in dit gesprek.`,
  returnCodeAdvice: 'Onthoud de code liever. Schrijf hem alleen op als dat veilig is.',
  waitingTitle: 'Je staat in de rij',
  position: (n: number) => (n <= 1 ? 'Jij bent de volgende.' : `Je bent nummer ${n} in de rij.`),
  /** The wait in words (see ../wait.ts): a range that never promises less than the upper end. */
  wait: (w: WaitWords) => {
    const prefix = 'Verwachte wachttijd:';
    switch (w.kind) {
      case 'unstaffed':
        return 'Er is nu niemand beschikbaar om te antwoorden. Je blijft in de rij: zodra er iemand is, krijg je antwoord.';
      case 'unknown':
        return 'We weten nog niet hoe lang het duurt.';
      case 'under-minute':
        return `${prefix} minder dan een minuut.`;
      case 'over-hour':
        return `${prefix} meer dan een uur.`;
      case 'up-to':
        return `${prefix} hooguit ongeveer ${minutes(w.max)}.`;
      case 'about':
        return `${prefix} ongeveer ${minutes(w.minutes)}.`;
      case 'range':
        return `${prefix} ongeveer ${w.min}–${minutes(w.max)}.`;
    }
  },
  waitWrite: 'Je kunt alvast schrijven wat er aan de hand is.',
  alternativesTitle: 'Het duurt langer dan gewoonlijk',
  alternativesText: 'Je blijft in de rij. Wil je niet wachten?',
  veiligThuis: 'Bel Veilig Thuis: 0800-2000 (gratis, dag en nacht)',
  danger112: 'In acuut gevaar: bel 112',
  alternativesNowTitle: 'Wil je nu met iemand praten?',
  alternativesNowText: 'Deze nummers zijn gratis en dag en nacht bereikbaar:',
  languageFallbackSoon:
    'Er is nu niemand die jouw taal spreekt. Duurt dat te lang, dan neemt een collega je gesprek over die misschien in het Engels of Nederlands antwoordt.',
  languageFallbackNow:
    'Er is nu niemand vrij die jouw taal spreekt. Een collega die misschien in het Engels of Nederlands antwoordt, neemt je gesprek over.',
  openLimitTitle: 'Je kunt nu geen nieuw gesprek beginnen',
  openLimitText:
    'Vanaf deze verbinding zijn al veel gesprekken open. Had je al een gesprek? Ga dan verder met je terugkeercode.',
  blockedTitle: 'Chatten lukt nu niet',
  blockedText:
    'Je kunt op dit moment geen chat beginnen. Wil je met iemand praten? Bel dan Veilig Thuis. In acuut gevaar: bel 112.',
  closedTitle: 'De chat is nu gesloten',
  closedText: 'Buiten de openingstijden kun je hier geen gesprek beginnen. Kom terug als de chat open is.',
  openingHours: 'Openingstijden',
  hoursZone: (tz: string) =>
    tz === 'Europe/Amsterdam'
      ? 'Alle tijden zijn Nederlandse tijd (Amsterdam).'
      : `Alle tijden zijn in de tijdzone ${tz}.`,
  closedDay: 'gesloten',
  returnThrottled: (s: number) =>
    `Er zijn te veel codes geprobeerd. Probeer het over ${s === 1 ? '1 seconde' : `${s} seconden`} opnieuw.`,
  refused: {
    'waiting-messages':
      'Je hebt al veel berichten gestuurd terwijl je wacht. Dit bericht is niet verstuurd; het staat nog in het invoerveld. Verstuur het als een hulpverlener er is.',
    'too-fast':
      'Je stuurt berichten heel snel achter elkaar. Dit bericht is niet verstuurd; het staat nog in het invoerveld. Probeer het zo opnieuw.',
    'conversation-full':
      'Dit gesprek is te lang geworden: er kan niets meer bij. Dit bericht is niet verstuurd; het staat nog in het invoerveld. Wil je verder praten? Bel Veilig Thuis, of 112 bij acuut gevaar.',
  },
  talkingWith: (name: string) => `Je praat met ${name}`,
  assigned: (name: string) => `${name} is er nu voor je.`,
  operatorFallback: 'Hulpverlener',
  messagesLabel: 'Berichten',
  you: 'Jij',
  helpline: 'Stille Lijn',
  typing: (name: string) => `${name} typt…`,
  composerLabel: 'Je bericht',
  composerHint: 'Enter verstuurt, Shift+Enter begint een nieuwe regel.',
  send: 'Versturen',
  charsLeft: (n: number) => (n === 1 ? 'Nog 1 teken' : `Nog ${n} tekens`),
  pending: 'Wordt verstuurd…',
  sent: 'Verstuurd',
  failed: 'Niet verstuurd.',
  retry: 'Opnieuw versturen',
  offline: 'De verbinding is even weg. We proberen het opnieuw; je berichten blijven bewaard.',
  end: 'Gesprek beëindigen',
  endConfirmTitle: 'Gesprek beëindigen?',
  endConfirmText:
    'Het gesprek stopt en alles verdwijnt van dit scherm. Je kunt niet meer terug naar dit gesprek.',
  endConfirm: 'Ja, beëindigen',
  endCancel: 'Nee, verder',
  ended: {
    operator: 'De hulpverlener heeft het gesprek beëindigd.',
    visitor: 'Het gesprek is beëindigd.',
    timeout: 'Het gesprek is beëindigd omdat het een tijd stil was.',
    blocked: 'Het gesprek is beëindigd.',
    lost: 'De verbinding met dit gesprek is verloren. Je kunt een nieuw gesprek beginnen.',
  },
  clear: 'Wissen en opnieuw beginnen',
  cleared: 'Het gesprek is beëindigd en van dit scherm gewist.',
  // While the server has not confirmed the end (End without a connection): nothing more is claimed.
  clearedPending: 'Het gesprek is van dit scherm gewist. We sluiten het af zodra er weer verbinding is.',
};
export type Catalogue = typeof catalogue;
export default catalogue;
