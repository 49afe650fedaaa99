import { loader } from '../../common/i18n/en.ts';
import type { Catalogue } from './nl.ts';

const minutes = (n: number) => (n === 1 ? '1 minute' : `${n} minutes`);

const catalogue: Catalogue = {
  ...loader,
  hide: 'Hide',
  heading: 'Talk anonymously with a counsellor',
  intro: 'Free, day and night. You never have to say anything out loud.',
  exitNoticeTitle: 'Need to leave quickly?',
  exitNotice:
    'The Quick exit button, Shift pressed 3 times or Esc pressed twice clears this screen at once and opens a weather page. This chat stores nothing in your browser. Quick exit does not erase your browser history: clear it yourself if you need to.',
  whoLegend: 'Who is writing?',
  roleVictim: "It's about me",
  roleConcerned: "I'm worried about someone close to me",
  roleBystander: 'I saw or heard something',
  roleProfessional: "I'm a professional",
  roleRequired: 'First choose who is writing.',
  languageLabel: 'Language',
  urgentLabel: "I'm in danger right now",
  urgentTitle: 'In danger? Call 112',
  urgentText: 'If you can talk, call 112. If you cannot, chat with us: we can call 112 for you.',
  call112: 'Call 112',
  firstMessageLabel: 'Would you like to tell us something already? You can leave this empty.',
  start: 'Start the chat',
  starting: 'Connecting…',
  startFailed: 'There is no connection right now. Please try again in a moment.',
  haveReturnCode: 'I have a return code',
  returnTitle: 'Back to your conversation',
  returnLabel: 'Return code',
  returnHelp: 'You were given this code when your conversation started.',
  resume: 'Continue my conversation',
  back: 'Back',
  returnFailed:
    'This code does not work (any more). A code works once, and only shortly after you left. You can start a new conversation.',
  yourReturnCode: 'Your return code:',
  returnCodeHelp: (windowMinutes) =>
    `Had to leave quickly? With this code you can come back to this conversation within ${minutes(windowMinutes)}.`,
  returnCodeAdvice: 'Better to remember it. Only write it down if that is safe.',
  waitingTitle: 'You are in the queue',
  position: (n) => (n <= 1 ? 'You are next.' : `You are number ${n} in the queue.`),
  wait: (w) => {
    const prefix = 'Expected wait:';
    switch (w.kind) {
      case 'unstaffed':
        return 'Nobody is available to answer right now. You keep your place in the queue: as soon as someone is here, you will get an answer.';
      case 'unknown':
        return "We don't know yet how long it will take.";
      case 'under-minute':
        return `${prefix} less than a minute.`;
      case 'over-hour':
        return `${prefix} more than an hour.`;
      case 'up-to':
        return `${prefix} up to about ${minutes(w.max)}.`;
      case 'about':
        return `${prefix} about ${minutes(w.minutes)}.`;
      case 'range':
        return `${prefix} about ${w.min}–${minutes(w.max)}.`;
    }
  },
  waitWrite: 'You can already write what is going on.',
  alternativesTitle: 'It is taking longer than usual',
  alternativesText: 'You keep your place in the queue. Would you rather not wait?',
  veiligThuis: 'Call Veilig Thuis: 0800-2000 (free, day and night)',
  danger112: 'In acute danger: call 112',
  alternativesNowTitle: 'Would you rather talk to someone now?',
  alternativesNowText: 'These numbers are free and open day and night:',
  languageFallbackSoon:
    'Nobody who speaks your language is available right now. If that takes too long, a colleague who may answer in English or Dutch will take over your conversation.',
  languageFallbackNow:
    'Nobody who speaks your language is free right now. A colleague who may answer in English or Dutch will take over your conversation.',
  openLimitTitle: 'You cannot start a new conversation right now',
  openLimitText:
    'Many conversations are already open from this connection. Did you already have a conversation? Then continue it with your return code.',
  blockedTitle: 'Chatting is not possible right now',
  blockedText:
    'You cannot start a chat at the moment. Would you like to talk to someone? Call Veilig Thuis. In acute danger: call 112.',
  closedTitle: 'The chat is closed now',
  closedText:
    'Outside opening hours you cannot start a conversation here. Please come back when the chat is open.',
  openingHours: 'Opening hours',
  hoursZone: (tz) =>
    tz === 'Europe/Amsterdam'
      ? 'All times are Dutch time (Amsterdam).'
      : `All times are in the time zone ${tz}.`,
  closedDay: 'closed',
  returnThrottled: (s) =>
    `Too many codes have been tried. Please try again in ${s === 1 ? '1 second' : `${s} seconds`}.`,
  refused: {
    'waiting-messages':
      'You have sent many messages while waiting. This message was not sent; it is still in the text box. Send it once a counsellor is with you.',
    'too-fast':
      'You are sending messages very quickly. This message was not sent; it is still in the text box. Please try again in a moment.',
    'conversation-full':
      'This conversation has become too long: nothing more can be added. This message was not sent; it is still in the text box. Would you like to keep talking? Call Veilig Thuis, or 112 in acute danger.',
  },
  talkingWith: (name) => `You are talking with ${name}`,
  assigned: (name) => `${name} is here for you now.`,
  operatorFallback: 'Counsellor',
  messagesLabel: 'Messages',
  you: 'You',
  helpline: 'Stille Lijn',
  typing: (name) => `${name} is typing…`,
  composerLabel: 'Your message',
  composerHint: 'Enter sends, Shift+Enter starts a new line.',
  send: 'Send',
  charsLeft: (n) => (n === 1 ? '1 character left' : `${n} characters left`),
  pending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent.',
  retry: 'Send again',
  offline: 'The connection is gone for a moment. We keep trying; your messages are kept.',
  end: 'End conversation',
  endConfirmTitle: 'End the conversation?',
  endConfirmText:
    'The conversation stops and everything disappears from this screen. You cannot return to it.',
  endConfirm: 'Yes, end it',
  endCancel: 'No, continue',
  ended: {
    operator: 'The counsellor ended the conversation.',
    visitor: 'The conversation has ended.',
    timeout: 'The conversation ended because it was quiet for a while.',
    blocked: 'The conversation has ended.',
    lost: 'The connection to this conversation was lost. You can start a new conversation.',
  },
  clear: 'Clear and start again',
  cleared: 'The conversation has ended and was cleared from this screen.',
  clearedPending:
    'The conversation was cleared from this screen. We will close it as soon as there is a connection again.',
};
export default catalogue;
