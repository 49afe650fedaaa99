import { describe, expect, it } from 'vitest';
import { estimateWaitSeconds, updateEwma } from './wait.ts';

describe('updateEwma', () => {
  it('starts at the first sample', () => {
    expect(updateEwma(null, 42)).toBe(42);
  });
  it('moves a fifth of the way towards a new sample', () => {
    expect(updateEwma(100, 200)).toBeCloseTo(120);
  });
  it('treats negative samples as zero', () => {
    expect(updateEwma(10, -5)).toBeCloseTo(8);
  });
});

describe('estimateWaitSeconds', () => {
  it('is null without history', () => {
    expect(estimateWaitSeconds({ ewmaSeconds: null, position: 1, operatorsAvailable: 3 })).toBeNull();
  });
  it('scales with position and divides by available operators', () => {
    expect(estimateWaitSeconds({ ewmaSeconds: 60, position: 3, operatorsAvailable: 2 })).toBe(90);
    expect(estimateWaitSeconds({ ewmaSeconds: 60, position: 6, operatorsAvailable: 2 })).toBe(180);
  });
  it('counts zero operators as one, so the estimate stays finite', () => {
    expect(estimateWaitSeconds({ ewmaSeconds: 30, position: 2, operatorsAvailable: 0 })).toBe(60);
  });
});
