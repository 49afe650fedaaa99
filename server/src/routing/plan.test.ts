import { describe, expect, it } from 'vitest';
import { planAssignments } from './plan.ts';

const op = (id: string, languages: string[], load = 0, capacity = 2) => ({
  id,
  name: id,
  languages,
  load,
  capacity,
  lines: new Set(['default']),
});
/** A head of the one default line, routable to its operators. */
const D = { line: 'default', routable: ['default'] };

describe('planAssignments', () => {
  it('takes the heads in routing order, urgent (lowest score) first', () => {
    const plan = planAssignments(
      [op('a', ['nl'], 0, 1)],
      [
        { id: 'late', score: 20, lang: 'nl', ...D },
        { id: 'urgent', score: 5, lang: 'nl', ...D },
      ],
    );
    expect(plan.map((p) => p.id)).toEqual(['urgent']);
  });

  it('spreads over the least loaded operator who speaks the language, within capacity', () => {
    const plan = planAssignments(
      [op('busy', ['nl', 'en'], 1, 2), op('free', ['nl'], 0, 2), op('english', ['en'], 0, 1)],
      [1, 2, 3, 4]
        .map((n) => ({ id: `nl${n}`, score: n, lang: 'nl', ...D }))
        .concat([{ id: 'en1', score: 0, lang: 'en', ...D }]),
    );
    expect(plan.map((p) => `${p.id}>${p.op.id}`)).toEqual([
      'en1>english',
      'nl1>free',
      'nl2>busy',
      'nl3>free',
    ]);
  });

  it('skips a conversation nobody free speaks, without stopping the pass', () => {
    const plan = planAssignments(
      [op('a', ['nl'])],
      [
        { id: 'pl', score: 1, lang: 'pl', ...D },
        { id: 'nl', score: 2, lang: 'nl', ...D },
      ],
    );
    expect(plan.map((p) => p.id)).toEqual(['nl']);
  });

  it('does not change the operators it was given', () => {
    const ops = [op('a', ['nl'])];
    planAssignments(ops, [{ id: 'x', score: 1, lang: 'nl', ...D }]);
    expect(ops[0]!.load).toBe(0);
  });
});

describe('planAssignments with the language fallback', () => {
  it('gives a Dutch or English speaker what waits on the fallback, after their own language of the same priority', () => {
    const plan = planAssignments(
      [op('anna', ['nl'], 0, 2)],
      [
        { id: 'pl-fallback', score: 100 + 5_000_000_000_000, lang: 'pl', ...D, fallback: true },
        { id: 'nl-later', score: 200, lang: 'nl', ...D },
      ],
    );
    expect(plan.map((p) => p.id)).toEqual(['nl-later', 'pl-fallback']);
  });

  it('plans a conversation once when it is both in its own line and on the fallback', () => {
    const plan = planAssignments(
      [op('pl-speaker', ['pl'], 0, 1), op('anna', ['nl'], 0, 1)],
      [
        { id: 'c', score: 5, lang: 'pl', ...D },
        { id: 'c', score: 5 + 5_000_000_000_000, lang: 'pl', ...D, fallback: true },
      ],
    );
    expect(plan.map((p) => `${p.id}>${p.op.id}`)).toEqual(['c>pl-speaker']);
  });

  it('never gives a fallback conversation to someone who speaks neither Dutch nor English', () => {
    expect(
      planAssignments([op('tr', ['tr'])], [{ id: 'c', score: 1, lang: 'pl', ...D, fallback: true }]),
    ).toEqual([]);
  });

  it('gives a conversation only to operators of a line it is routable to (its own, or overflowed to)', () => {
    const utrecht = { ...op('u', ['nl']), lines: new Set(['utrecht']) };
    const national = { ...op('n', ['nl']), lines: new Set(['landelijk']) };
    const plan = planAssignments(
      [national, utrecht],
      [
        { id: 'fresh', score: 1, lang: 'nl', line: 'utrecht', routable: ['utrecht'] },
        { id: 'overflowed', score: 2, lang: 'nl', line: 'utrecht', routable: ['utrecht', 'landelijk'] },
        { id: 'other', score: 0, lang: 'nl', line: 'zeeland', routable: ['zeeland'] },
      ],
    );
    expect(plan.map((p) => `${p.id}>${p.op.id}`)).toEqual(['fresh>u', 'overflowed>n']);
  });
});
