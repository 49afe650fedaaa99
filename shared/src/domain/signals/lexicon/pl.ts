import type { Lexicon } from './types.ts';

/** Polish, folded (ł→l, ą→a, ę→e, ó→o, ś→s, ż/ź→z, ć→c, ń→n), with its many verb endings as stems. */
export const pl: Lexicon = {
  language: 'pl',
  negations: ['nie', 'nigdy', 'nikt', 'bez', 'zaden'],
  conditionals: ['jesli', 'jezeli', 'jak', 'gdy'],
  contrasts: ['ale', 'jednak'],
  negationBreakersAfter: ['tylko', 'pierwszy'],
  negationBreakersBefore: ['wiem', 'pewna', 'pewny'],
  fiction: [
    'film',
    'filmie',
    'filmu',
    'serial',
    'serialu',
    'serialu',
    'gra',
    'grze',
    'gry',
    'ksiazka',
    'ksiazce',
    'wiadomosci',
    'sen',
    'snie',
    'waz',
  ],
  categories: {
    strangulation: {
      strong: [
        'dusil|dusila|dusi|dusic|dusil*|udusi*|udusil*|podduszal*|podduszac*|podduszenie|duszenie|duszenia',
        'dusza ~1 mnie|ja',
        'za ~1 gardlo|szyje|gardziel',
        'rece|reke|rekami|dlonie ~2 na|wokol|na ~1 szyi|gardle|szyje',
        'sciskal*|scisnal*|scisk* ~2 gardlo|szyje|gardla|szyi',
      ],
    },
    weapon: {
      strong: [
        'grozi*|zagrozil*|grozil*|celowal*|wymachiwal*|przylozyl*|przystawil* ~3 noz*|pistolet*|bron*|siekier*|maczet*|strzelb*|karabin*',
        'noz*|pistolet*|bron*|siekier* ~3 do|przy|na ~1 gardla|szyi|glowy|mnie|brzucha',
        'dzgnal*|dzgnac|dzgnie|zadzgam|zadzga*|postrzel*|zastrzel*',
      ],
      weak: ['noz|noza|nozem|nozy|noze|pistolet*|bron|broni|bronia|strzelb*|siekier*|maczet*|karabin*'],
      context: [
        'gotow*',
        'kuchni*',
        'chleb*',
        'warzyw*',
        'miesa',
        'mieso',
        'ciasto',
        'grill*',
        'ryby',
        'polowanie',
      ],
    },
    'threat-to-kill': {
      strong: [
        'zabij*|zabic|zabije*|zabil*|zamorduj*|zamordow*|zamordu*|uduszę|zatluk*|zatluke ~2 mnie|cie|ja|nas|was|dzieci|ciebie|go',
        'mnie|cie|ja|nas|was|dzieci|ciebie ~2 zabij*|zabic|zabije*|zamorduj*|zamordow*|zatluk*',
        'grozi*|grozil*|zagrozil*|odgraza* ~3 smierc*|smiercia|zabic*|zabiciem|zabije*|zabiciem',
        'grozby ~1 smierci|karalne',
        'boje ~2 o ~1 swoje|moje ~1 zycie',
      ],
      weak: ['zabije|zabic|zabij'],
      context: ['sie', 'siebie', 'film', 'gra', 'komara', 'muche'],
    },
    imminent: {
      strong: [
        'jedzie|idzie|przyjdzie|przyjedzie|wraca|wrocil|przyszedl ~2 tu|tutaj|teraz|juz|zaraz',
        'juz|zaraz ~1 jedzie|idzie|tu|jest|bedzie|przyjdzie',
        'pod ~1 drzwiami|domem|oknem|blokiem',
        'w ~1 drodze',
        'wali|dobija|puka|kopie|wywaza|lomocze ~3 drzwi',
        'probuje ~2 wejsc|wlamac|wywazyc',
        'stoi ~2 pod|przed ~1 drzwiami|domem',
      ],
    },
    suicide: {
      strong: [
        'samobojstw*|samobojcz*',
        'zabic|zabije|zabij ~1 sie',
        'nie ~1 chce ~1 juz? ~1 zyc',
        'chce ~1 umrzec',
      ],
    },
    'sexual-violence': {
      strong: ['zgwalcil*|zgwalcic|gwalt*|gwalci*|molestow*|molestuje*', 'zmusza* ~3 seksu|sex*'],
    },
  },
};
