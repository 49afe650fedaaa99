import { z } from 'zod';

/**
 * The risk checklist. The items paraphrase, in our own words, the themes of the
 * SafeLives DASH questions and the Dutch red flags for intimate terror. They describe
 * "the victim" and "the abuser" so that they also work when a family member or a
 * bystander is the one chatting.
 */
export interface RiskItem {
  /** Stable id, used in reports and in the console's `data-item-id`. */
  readonly id: string;
  /** A red flag makes the level high whatever the score. */
  readonly redFlag: boolean;
  readonly text: { readonly nl: string; readonly en: string };
}

const item = (id: string, redFlag: boolean, nl: string, en: string): RiskItem => ({
  id,
  redFlag,
  text: { nl, en },
});

/** The checklist, in the order the console shows it. */
export const riskItems = [
  item(
    'injury',
    false,
    'Is het slachtoffer door het geweld gewond geraakt, nu of kort geleden?',
    'Has the victim been injured by the violence, now or recently?',
  ),
  item(
    'very-frightened',
    false,
    'Voelt het slachtoffer zich erg angstig of onder druk gezet door de pleger?',
    'Does the victim feel very frightened of, or intimidated by, the abuser?',
  ),
  item(
    'fear-for-life',
    true,
    'Is het slachtoffer bang dat de pleger hem of haar, of de kinderen, ernstig iets aandoet of zelfs doodt?',
    'Is the victim afraid that the abuser will seriously harm or even kill them or the children?',
  ),
  item(
    'isolation',
    false,
    'Zorgt de pleger ervoor dat het slachtoffer familie, vrienden of werk niet meer ziet?',
    'Does the abuser keep the victim away from family, friends or work?',
  ),
  item(
    'low-mood-suicidal',
    false,
    'Is het slachtoffer erg somber, of denkt hij of zij aan zelfdoding?',
    'Is the victim very low, or having thoughts of suicide?',
  ),
  item(
    'separation',
    true,
    'Is het slachtoffer het afgelopen jaar bij de pleger weggegaan, of is het van plan om weg te gaan?',
    'Has the victim left the abuser in the past year, or are they planning to leave?',
  ),
  item(
    'child-contact-conflict',
    false,
    'Is er ruzie over de omgang met of de zorg voor de kinderen?',
    'Is there conflict about contact with, or care of, the children?',
  ),
  item(
    'stalking',
    true,
    'Achtervolgt, bespiedt of bestookt de pleger het slachtoffer, bijvoorbeeld met berichten, telefoontjes of opwachten?',
    'Does the abuser follow, watch or harass the victim, for example with messages, calls or by waiting for them?',
  ),
  item(
    'pregnancy',
    true,
    'Is het slachtoffer zwanger, of kort geleden bevallen?',
    'Is the victim pregnant, or have they recently given birth?',
  ),
  item(
    'other-children',
    false,
    'Wonen er kinderen in huis van wie de pleger niet de ouder is?',
    'Are there children in the home of whom the abuser is not the parent?',
  ),
  item(
    'children-harmed',
    false,
    'Heeft de pleger de kinderen pijn gedaan of gedreigd dat te doen?',
    'Has the abuser hurt the children, or threatened to?',
  ),
  item(
    'escalation',
    true,
    'Wordt het geweld erger, of gebeurt het vaker dan vroeger?',
    'Is the violence getting worse, or happening more often than before?',
  ),
  item(
    'control-jealousy',
    false,
    'Wil de pleger alles bepalen, of is hij of zij overdreven jaloers?',
    'Does the abuser try to control everything, or are they excessively jealous?',
  ),
  item(
    'weapons',
    true,
    'Heeft de pleger een wapen of voorwerp gebruikt of ermee gedreigd, of kan hij of zij aan een wapen komen?',
    'Has the abuser used or threatened to use a weapon or object, or can they get hold of a weapon?',
  ),
  item(
    'threat-to-kill',
    true,
    'Heeft de pleger gedreigd het slachtoffer of iemand anders te doden?',
    'Has the abuser threatened to kill the victim or someone else?',
  ),
  item(
    'strangulation',
    true,
    'Heeft de pleger het slachtoffer ooit bij de keel gegrepen, gewurgd, gesmoord of onder water geduwd?',
    'Has the abuser ever grabbed the victim by the throat, strangled, smothered or held them under water?',
  ),
  item(
    'sexual-violence',
    false,
    'Dwingt de pleger het slachtoffer tot seksuele handelingen, of doet hij of zij op seksueel gebied pijn?',
    'Does the abuser force the victim into sexual acts, or hurt them sexually?',
  ),
  item(
    'others-threatening',
    false,
    'Wordt het slachtoffer ook door iemand anders bedreigd, bijvoorbeeld door familie van de pleger?',
    "Is the victim also threatened by someone else, for example the abuser's family?",
  ),
  item(
    'others-harmed',
    false,
    'Heeft de pleger ook anderen mishandeld, zoals een vorige partner of familieleden?',
    'Has the abuser also hurt others, such as a former partner or relatives?',
  ),
  item(
    'animals-harmed',
    false,
    'Heeft de pleger een huisdier mishandeld of gedood?',
    'Has the abuser mistreated or killed a pet?',
  ),
  item(
    'financial-control',
    false,
    'Zijn er geldproblemen, of houdt de pleger het geld van het slachtoffer achter?',
    "Are there money problems, or does the abuser keep the victim's money from them?",
  ),
  item(
    'substances-mental-health',
    false,
    'Heeft de pleger problemen met alcohol, drugs of de psychische gezondheid?',
    'Does the abuser have problems with alcohol, drugs or mental health?',
  ),
  item(
    'abuser-suicidal',
    false,
    'Heeft de pleger gedreigd zichzelf iets aan te doen, of dat geprobeerd?',
    'Has the abuser threatened or tried to harm or kill themselves?',
  ),
  item(
    'breached-orders',
    false,
    'Heeft de pleger een contact- of straatverbod of een afspraak met politie of justitie overtreden?',
    'Has the abuser broken a restraining order or an agreement with the police or the courts?',
  ),
  item(
    'police-history',
    false,
    'Is de pleger eerder met de politie in aanraking geweest, voor geweld of iets anders?',
    'Has the abuser been in trouble with the police before, for violence or anything else?',
  ),
] as const satisfies readonly RiskItem[];

export type RiskItemId = (typeof riskItems)[number]['id'];

export const riskItemIds = riskItems.map((i) => i.id) as [RiskItemId, ...RiskItemId[]];

/** The ids of the red-flag items, in checklist order. */
export const redFlagIds: readonly RiskItemId[] = riskItems.filter((i) => i.redFlag).map((i) => i.id);

/** A score at or above this is `high`. @default 14 */
export const HIGH_RISK_SCORE = 14;
/** A score at or above this (and below HIGH_RISK_SCORE) is `medium`. @default 10 */
export const MEDIUM_RISK_SCORE = 10;

export const riskAnswerValues = ['yes', 'no', 'unknown'] as const;
export const riskAnswerSchema = z.enum(riskAnswerValues);
export type RiskAnswer = z.infer<typeof riskAnswerSchema>;

export const riskLevels = ['standard', 'medium', 'high'] as const;
export const riskLevelSchema = z.enum(riskLevels);
export type RiskLevel = z.infer<typeof riskLevelSchema>;

/**
 * Answers by item id. The checklist may be left incomplete: an item without an answer
 * is simply absent. Unknown item ids are rejected.
 * @example { strangulation: 'yes', weapons: 'unknown' }
 */
export const riskAnswersSchema = z.partialRecord(z.enum(riskItemIds), riskAnswerSchema);
export type RiskAnswers = z.infer<typeof riskAnswersSchema>;

/**
 * An operator's override of the computed level. A written reason is required.
 * @example { level: 'high', reason: 'Visitor describes a recent attempt to run her off the road.' }
 */
export const riskOverrideSchema = z.object({
  level: riskLevelSchema,
  reason: z.string().trim().min(1).max(2000),
});
export type RiskOverride = z.infer<typeof riskOverrideSchema>;

/** The result of scoring, in the shape of a report's `risk` object. */
export interface RiskResult {
  answers: RiskAnswers;
  /** The number of items answered yes. */
  score: number;
  /** The level to act on: the override's level when there is one, else the computed level. */
  level: RiskLevel;
  /** The ids of the red-flag items answered yes, in checklist order. */
  redFlags: RiskItemId[];
  override?: RiskOverride;
}

/** The level the answers alone give, before any override. */
export function computedRiskLevel(score: number, redFlagCount: number): RiskLevel {
  if (redFlagCount > 0 || score >= HIGH_RISK_SCORE) return 'high';
  if (score >= MEDIUM_RISK_SCORE) return 'medium';
  return 'standard';
}

/**
 * Scores a (possibly incomplete) checklist. The score is the number of yes answers;
 * 14 or more is high, 10 to 13 medium, lower standard, and any red flag answered yes
 * makes it high whatever the score. An override replaces the level but needs a
 * non-empty written reason.
 * @throws {RangeError} when the override's reason is empty.
 * @example scoreRisk({ strangulation: 'yes' }).level // 'high'
 */
export function scoreRisk(answers: RiskAnswers, override?: RiskOverride): RiskResult {
  const redFlags: RiskItemId[] = [];
  let score = 0;
  for (const it of riskItems) {
    if (answers[it.id] !== 'yes') continue;
    score += 1;
    if (it.redFlag) redFlags.push(it.id);
  }
  const result: RiskResult = {
    answers: { ...answers },
    score,
    level: computedRiskLevel(score, redFlags.length),
    redFlags,
  };
  if (override !== undefined) {
    const parsed = riskOverrideSchema.safeParse(override);
    if (!parsed.success) throw new RangeError('A risk override needs a level and a written reason.');
    result.override = parsed.data;
    result.level = parsed.data.level;
  }
  return result;
}

/**
 * A report's `risk` object. Besides the shapes it checks that score, red flags and
 * level agree with the answers, so a report cannot carry a score that was never earned.
 */
export const riskResultSchema = z
  .object({
    answers: riskAnswersSchema,
    score: z.number().int().min(0).max(riskItems.length),
    level: riskLevelSchema,
    redFlags: z.array(z.enum(riskItemIds)),
    override: riskOverrideSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const expected = scoreRisk(value.answers);
    if (value.score !== expected.score) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: 'score does not match the answers' });
    }
    const flags = [...value.redFlags].sort().join(',');
    if (flags !== [...expected.redFlags].sort().join(',')) {
      ctx.addIssue({ code: 'custom', path: ['redFlags'], message: 'redFlags do not match the answers' });
    }
    const level = value.override?.level ?? expected.level;
    if (value.level !== level) {
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: 'level does not match the answers or override',
      });
    }
  });
