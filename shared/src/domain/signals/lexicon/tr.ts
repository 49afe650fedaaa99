import type { Lexicon } from './types.ts';

/**
 * Turkish, folded (ı→i, ş→s, ç→c, ğ→g, ö→o, ü→u). Turkish builds words with suffixes,
 * so most entries are stems (`oldur*`); the negative suffix is caught by `negativeWords`
 * ("öldürmedi", "öldürmeyecek").
 */
export const tr: Lexicon = {
  language: 'tr',
  negations: ['degil', 'yok', 'hic', 'asla', 'hicbir'],
  conditionals: ['eger'],
  contrasts: ['ama', 'fakat', 'ancak'],
  negativeWords: [
    'oldurmedi*',
    'oldurmeyecek*',
    'oldurmez*',
    'oldurmuyor*',
    'bogmadi*',
    'bogmaz*',
    'gelmiyor*',
    'gelmeyecek*',
    'gelmedi*',
  ],
  fiction: [
    'film',
    'filmde',
    'filmi',
    'dizi',
    'dizide',
    'diziyi',
    'oyun',
    'oyunda',
    'kitap',
    'kitapta',
    'roman',
    'haber',
    'haberlerde',
    'ruya',
    'ruyamda',
    'hayvanat',
  ],
  categories: {
    strangulation: {
      strong: [
        'bogdu*|bogmaya*|boguyor*|bogacak*|bogmak*|bogarak|bogazladi*|bogazlar*',
        'bogaz* ~3 sikti*|sikiyor*|sikmaya*|sikar*|sikti|yapist*|tuttu*|bastir*|sikist*',
        'elleri* ~2 bogaz*|boyn*',
      ],
    },
    weapon: {
      strong: [
        'tehdit* ~3 bicak*|silah*|tabanca*|tufek*|satir*|pompali*',
        'bicak*|silah*|tabanca*|tufek*|satir*|pompali* ~3 tehdit*|dayadi*|dayiyor*|cekti*|ceker*|dogrult*|gosterd*|sapla*|vurdu*|bastir*',
        'bicakladi*|bicaklar*|bicaklamak*|vurdu ~1 beni',
      ],
      weak: ['bicak*|silah*|tabanca*|tufek*|satir*|pompali*'],
      context: ['yemek', 'mutfak', 'mutfakta', 'sebze', 'ekmek', 'et', 'kek', 'mangal', 'balik', 'kamp'],
    },
    'threat-to-kill': {
      strong: ['gebert*', 'olum ~1 tehdid*|tehdit*', 'oldurmekle|olduresiye', 'canima ~1 kast*'],
      weak: ['oldur*'],
      context: ['kendimi', 'kendini', 'intihar', 'intihari'],
    },
    imminent: {
      strong: [
        'geliyor|gelecek|geldi|gelmek ~2 simdi|buraya|eve|hemen',
        'su ~1 an ~2 geliyor|gelecek|kapida',
        'eve|buraya ~1 geliyor|gelecek|geliyo',
        'simdi|hemen|birazdan ~2 geliyor|gelecek|burada|kapida',
        'kapida|kapimda|kapinin|kapiyi ~2 onunde|yumrukl*|kiriyor*|kirmaya*|caliyor*|vuruyor*|zorluyor*|tekmel*|kapida',
        'kapida',
        'iceri ~1 girmeye|girmek',
      ],
      weak: ['yolda|yoldaymis'],
      context: ['annem', 'babam', 'kardesim', 'arkadasim', 'polis', 'yardim', 'yardima', 'ambulans'],
    },
    suicide: {
      strong: ['intihar*', 'kendimi ~1 oldur*|as*', 'olmek ~1 istiyorum', 'yasamak ~1 istemiyorum'],
    },
    'sexual-violence': {
      strong: ['tecavuz*', 'taciz*', 'zorla ~2 iliski*|seks*|birlikte'],
    },
  },
};
