import { describe, expect, it } from 'vitest';
import {
  type RiskAnswers,
  type RiskItemId,
  redFlagIds,
  riskAnswersSchema,
  riskItems,
  riskOverrideSchema,
  riskResultSchema,
  scoreRisk,
} from './risk.ts';

const ordinaryIds = riskItems.filter((i) => !i.redFlag).map((i) => i.id);

/** `n` ordinary (non-red-flag) items answered yes, every other item no. */
function yesOnOrdinary(n: number): RiskAnswers {
  if (n > ordinaryIds.length) throw new Error('not enough ordinary items');
  const answers: RiskAnswers = {};
  for (const it of riskItems) answers[it.id] = 'no';
  for (const id of ordinaryIds.slice(0, n)) answers[id] = 'yes';
  return answers;
}

describe('the checklist', () => {
  it('has enough items without red flags for a high score to be reachable on score alone', () => {
    expect(riskItems.length).toBeGreaterThanOrEqual(20);
    expect(ordinaryIds.length).toBeGreaterThanOrEqual(14);
  });

  it('has unique ids and text in Dutch and English', () => {
    expect(new Set(riskItems.map((i) => i.id)).size).toBe(riskItems.length);
    for (const it of riskItems) {
      expect(it.text.nl.trim()).not.toBe('');
      expect(it.text.en.trim()).not.toBe('');
      expect(it.text.nl).not.toBe(it.text.en);
    }
  });

  it('marks exactly the agreed red flags', () => {
    const expected: RiskItemId[] = [
      'strangulation',
      'threat-to-kill',
      'stalking',
      'separation',
      'weapons',
      'escalation',
      'pregnancy',
      'fear-for-life',
    ];
    expect([...redFlagIds].sort()).toEqual([...expected].sort());
  });
});

describe('scoreRisk', () => {
  it('gives standard at a score of 9 and medium at 10', () => {
    expect(scoreRisk(yesOnOrdinary(9))).toMatchObject({ score: 9, level: 'standard', redFlags: [] });
    expect(scoreRisk(yesOnOrdinary(10))).toMatchObject({ score: 10, level: 'medium', redFlags: [] });
  });

  it('gives medium at a score of 13 and high at 14', () => {
    expect(scoreRisk(yesOnOrdinary(13))).toMatchObject({ score: 13, level: 'medium' });
    expect(scoreRisk(yesOnOrdinary(14))).toMatchObject({ score: 14, level: 'high' });
  });

  it('makes any single red flag high, even when it is the only yes', () => {
    for (const id of redFlagIds) {
      const result = scoreRisk({ [id]: 'yes' });
      expect(result).toMatchObject({ score: 1, level: 'high', redFlags: [id] });
    }
  });

  it('gives high with a red flag even when no ordinary item scores', () => {
    const answers = yesOnOrdinary(0);
    answers.strangulation = 'yes';
    expect(scoreRisk(answers)).toMatchObject({ score: 1, level: 'high', redFlags: ['strangulation'] });
  });

  it('does not count red flags answered no or unknown', () => {
    const result = scoreRisk({ strangulation: 'unknown', weapons: 'no', injury: 'yes' });
    expect(result).toMatchObject({ score: 1, level: 'standard', redFlags: [] });
  });

  it('scores an empty or incomplete checklist', () => {
    expect(scoreRisk({})).toEqual({ answers: {}, score: 0, level: 'standard', redFlags: [] });
    expect(scoreRisk({ injury: 'yes', isolation: 'unknown' })).toMatchObject({ score: 1, level: 'standard' });
  });

  it('lists red flags in checklist order', () => {
    const result = scoreRisk({ 'threat-to-kill': 'yes', 'fear-for-life': 'yes', weapons: 'yes' });
    expect(result.redFlags).toEqual(['fear-for-life', 'weapons', 'threat-to-kill']);
  });

  it('applies an override with a written reason', () => {
    const result = scoreRisk(
      { injury: 'yes' },
      { level: 'high', reason: '  Recent attempt to run her over.  ' },
    );
    expect(result.level).toBe('high');
    expect(result.score).toBe(1);
    expect(result.override).toEqual({ level: 'high', reason: 'Recent attempt to run her over.' });
  });

  it('rejects an override without a reason', () => {
    expect(() => scoreRisk({}, { level: 'high', reason: '' })).toThrow(RangeError);
    expect(() => scoreRisk({}, { level: 'medium', reason: '   \n ' })).toThrow(RangeError);
  });

  it('does not share the answers object with the caller', () => {
    const answers: RiskAnswers = { injury: 'yes' };
    const result = scoreRisk(answers);
    answers.injury = 'no';
    expect(result.answers.injury).toBe('yes');
  });
});

describe('schemas', () => {
  it('accept an incomplete answer set and reject unknown ids and values', () => {
    expect(riskAnswersSchema.safeParse({ injury: 'yes' }).success).toBe(true);
    expect(riskAnswersSchema.safeParse({}).success).toBe(true);
    expect(riskAnswersSchema.safeParse({ 'no-such-item': 'yes' }).success).toBe(false);
    expect(riskAnswersSchema.safeParse({ injury: 'maybe' }).success).toBe(false);
  });

  it('reject an override without a reason', () => {
    expect(riskOverrideSchema.safeParse({ level: 'high', reason: '' }).success).toBe(false);
    expect(riskOverrideSchema.safeParse({ level: 'high', reason: '  ' }).success).toBe(false);
    expect(riskOverrideSchema.safeParse({ level: 'high' }).success).toBe(false);
    expect(riskOverrideSchema.safeParse({ level: 'low', reason: 'x' }).success).toBe(false);
  });

  it('accept what scoreRisk produces, with and without an override', () => {
    const plain = scoreRisk({ strangulation: 'yes', injury: 'yes', isolation: 'no' });
    expect(riskResultSchema.safeParse(plain).success).toBe(true);
    const overridden = scoreRisk(yesOnOrdinary(3), { level: 'medium', reason: 'Children witnessed it.' });
    expect(riskResultSchema.safeParse(overridden).success).toBe(true);
  });

  it('reject a result whose score, red flags or level do not follow from the answers', () => {
    const good = scoreRisk({ strangulation: 'yes', injury: 'yes' });
    expect(riskResultSchema.safeParse({ ...good, score: 5 }).success).toBe(false);
    expect(riskResultSchema.safeParse({ ...good, redFlags: [] }).success).toBe(false);
    expect(riskResultSchema.safeParse({ ...good, level: 'standard' }).success).toBe(false);
  });

  it('reject an override in a result when its reason is empty', () => {
    const result = { ...scoreRisk({}), level: 'high', override: { level: 'high', reason: '' } };
    expect(riskResultSchema.safeParse(result).success).toBe(false);
  });
});
