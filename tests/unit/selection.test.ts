import { describe, expect, it } from 'vitest';
import { clusterAnswers, isDecided, select, type SampleOutcome } from '../../workers/solver/selection.ts';

const s = (id: number, answer: string | null, value: number | null, greedy = false): SampleOutcome => ({ id, answer, value, greedy });

// 8 samples: 42 x3 (best 0.6), 41 x2 (best 0.7), 40 x1 (0.95), 7 x1 (0.2), one with no answer.
const eight = [
  s(0, '42', 0.5, true),
  s(1, '41', 0.7),
  s(2, '40', 0.95),
  s(3, '42.0', 0.6),
  s(4, '\\frac{82}{2}', 0.3),
  s(5, '42', 0.1),
  s(6, null, null),
  s(7, '7', 0.2),
];

describe('clustering', () => {
  it('groups equivalent answers and reports count, best and mean value', () => {
    const clusters = clusterAnswers(eight);
    expect(clusters.map((c) => [c.answer, c.count])).toEqual([
      ['42', 3],
      ['41', 2],
      ['40', 1],
      ['7', 1],
    ]);
    const c41 = clusters[1]!;
    expect(c41.members).toEqual([1, 4]);
    expect(c41.bestValue).toBeCloseTo(0.7);
    expect(c41.meanValue).toBeCloseTo(0.5);
    expect(c41.bestMember).toBe(1);
    expect(clusters[0]!.meanValue).toBeCloseTo(0.4);
  });
});

describe('strategies', () => {
  it('greedy takes the greedy sample', () => {
    expect(select('greedy', eight).chosen?.answer).toBe('42');
  });

  it('majority takes the largest cluster', () => {
    const r = select('majority', eight);
    expect(r.chosen?.answer).toBe('42');
    expect(r.explanation).toBe('3 of 8 solutions agree on 42.');
    expect(r.noAnswer).toBe(1);
  });

  it('best-of-n takes the single best-valued solution, even an outlier', () => {
    expect(select('best-of-n', eight).chosen?.answer).toBe('40');
  });

  it('outlier-free OVM drops singletons, then takes the best-valued cluster', () => {
    const r = select('outlier-free-ovm', eight);
    expect(r.chosen?.answer).toBe('41');
    expect(r.setAside.map((c) => c.answer)).toEqual(['40', '7']);
    expect(r.explanation).toBe('2 of 8 solutions agree on 41; its best solution scored 0.70; 2 answers that appeared only once were set aside.');
  });

  it('outlier-free OVM keeps all clusters when every answer appears once', () => {
    const r = select('outlier-free-ovm', [s(0, '1', 0.2), s(1, '2', 0.9), s(2, '3', 0.5)]);
    expect(r.chosen?.answer).toBe('2');
    expect(r.setAside).toEqual([]);
    expect(r.explanation).toContain('every answer appeared once');
  });

  it('the minimum cluster size is a parameter', () => {
    const r = select('outlier-free-ovm', eight, { minClusterSize: 3 });
    expect(r.chosen?.answer).toBe('42');
  });

  it('handles no answers at all', () => {
    for (const strategy of ['greedy', 'majority', 'best-of-n', 'outlier-free-ovm'] as const) {
      const r = select(strategy, [s(0, null, null), s(1, null, 0.4)]);
      expect(r.chosen).toBeNull();
      expect(r.noAnswer).toBe(2);
    }
  });

  it('majority breaks ties by value, without values by order', () => {
    expect(select('majority', [s(0, '1', 0.1), s(1, '2', 0.9), s(2, '1', 0.2), s(3, '2', 0.3)]).chosen?.answer).toBe('2');
    expect(select('majority', [s(0, '1', null), s(1, '2', null)]).chosen?.answer).toBe('1');
  });
});

describe('early stop', () => {
  it('majority is decided when no rival can catch up', () => {
    const five = [s(0, '5', null), s(1, '5', null), s(2, '5', null), s(3, '5', null), s(4, '6', null)];
    expect(isDecided('majority', five, 2)).toBe(true);
    expect(isDecided('majority', five, 3)).toBe(false);
  });

  it('a brand-new answer counts as a rival for majority', () => {
    expect(isDecided('majority', [s(0, '5', null), s(1, '5', null)], 2)).toBe(false);
    expect(isDecided('majority', [s(0, '5', null), s(1, '5', null), s(2, '5', null)], 2)).toBe(true);
  });

  it('outlier-free OVM waits while a rival could still qualify and outscore', () => {
    const done = [s(0, '5', 0.6), s(1, '5', 0.7), s(2, '6', 0.9)];
    expect(isDecided('outlier-free-ovm', done, 1)).toBe(false);
    expect(isDecided('outlier-free-ovm', done, 0)).toBe(true);
  });

  it('outlier-free OVM is decided once its leader has the maximum value', () => {
    expect(isDecided('outlier-free-ovm', [s(0, '5', 1), s(1, '5', 0.4)], 4)).toBe(true);
  });

  it('outlier-free OVM is decided when no rival can reach the minimum size', () => {
    expect(isDecided('outlier-free-ovm', [s(0, '5', 0.5), s(1, '5', 0.4)], 1)).toBe(true);
    expect(isDecided('outlier-free-ovm', [s(0, '5', 0.5), s(1, '5', 0.4), s(2, '3', 0.9)], 1)).toBe(false);
  });
});
