import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../workers/model/manifest.ts';
import { codeRan, confidenceSample, groundedCode, modelConfidence, symbolicConfidence, uncheckedAttempts, wellFormedAnswer, type ConfidenceSample } from '../../workers/solver/confidence.ts';
import { select } from '../../workers/solver/selection.ts';

const thresholds = { minAgreement: 0.75, minValue: 0.5, minGrounded: 0.5 };

/** Eight sampled solutions plus a greedy one (id 8); `answers[i]` null means no answer. */
function solve(answers: Array<string | null>, values: Array<number | null>, failed: number[] = [], ungrounded: number[] = []) {
  const samples: ConfidenceSample[] = answers.map((answer, id) => ({
    id,
    answer,
    value: values[id] ?? null,
    greedy: id === answers.length - 1,
    codeRuns: 1,
    failedRuns: failed.includes(id) ? 1 : 0,
    grounded: !ungrounded.includes(id),
  }));
  const selection = select('greedy', samples);
  return { samples, selection };
}

describe('confidence', () => {
  it('calls strong agreement with a high value likely, and says why', () => {
    const { samples, selection } = solve(['56', '56', '56', '56', '56', '56', '56', '12', '56'], Array(9).fill(0.8));
    const c = modelConfidence({ selection, samples, thresholds });
    expect(c.level).toBe('likely');
    expect(c.agreement).toBeCloseTo(7 / 8);
    expect(c.reason).toContain('7 of 8');
  });

  it('is not sure when too few samples agree', () => {
    const { samples, selection } = solve(['56', '56', '3', '4', '5', '6', '56', '7', '56'], Array(9).fill(0.9));
    const c = modelConfidence({ selection, samples, thresholds });
    expect(c.level).toBe('not-sure');
    expect(c.reason).toContain('3 of 8');
  });

  it('is not sure when the value head scores the answer low', () => {
    const { samples, selection } = solve(Array(9).fill('56'), Array(9).fill(0.2));
    expect(modelConfidence({ selection, samples, thresholds }).level).toBe('not-sure');
  });

  it('is not sure when every solution failed, even if the failures agree (the jacket problem)', () => {
    const answers = ['1.0', '1.0', null, null, null, null, null, null, '1.0'];
    const { samples, selection } = solve(answers, Array(9).fill(0.99), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const c = modelConfidence({ selection, samples, thresholds: { minAgreement: 0.1, minValue: 0 } });
    expect(c.level).toBe('not-sure');
    expect(c.reason).toMatch(/failed/);
  });

  it('is not sure when the agreeing solutions all had failing code', () => {
    const { samples, selection } = solve(Array(9).fill('7'), Array(9).fill(0.9), [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((i) => i !== 3).concat([]));
    // Solution 3 ran cleanly: the answer counts. Now make every agreeing one fail.
    expect(modelConfidence({ selection, samples, thresholds }).level).toBe('likely');
    const allFailed = samples.map((s) => ({ ...s, failedRuns: s.codeRuns }));
    allFailed[0] = { ...allFailed[0]!, answer: null, failedRuns: 0 };
    const sel = select('greedy', allFailed);
    expect(modelConfidence({ selection: sel, samples: allFailed, thresholds: { minAgreement: 0.5, minValue: 0 } }).level).toBe('not-sure');
  });

  it('is never likely without thresholds or without a value head', () => {
    const { samples, selection } = solve(Array(9).fill('56'), Array(9).fill(0.99));
    expect(modelConfidence({ selection, samples, thresholds: undefined }).level).toBe('not-sure');
    const noValues = samples.map((s) => ({ ...s, value: null }));
    expect(modelConfidence({ selection: select('greedy', noValues), samples: noValues, thresholds }).level).toBe('not-sure');
  });

  it('is not sure when nothing was answered', () => {
    const { samples, selection } = solve(Array(9).fill(null), Array(9).fill(0.9));
    expect(modelConfidence({ selection, samples, thresholds }).level).toBe('not-sure');
  });

  it('is verified by an independent check that agrees, and not sure when the check disagrees', () => {
    const { samples, selection } = solve(['4', '5', '6', '7', '8', '9', '10', '11', '4'], Array(9).fill(0.1));
    expect(modelConfidence({ selection, samples, thresholds, check: { agrees: true, by: 'the symbolic solver' } }).level).toBe('verified');
    const strong = solve(Array(9).fill('4'), Array(9).fill(0.99));
    const c = modelConfidence({ ...strong, thresholds, check: { agrees: false, by: 'the symbolic solver' } });
    expect(c.level).toBe('not-sure');
    expect(c.reason).toContain('symbolic solver');
  });

  it('reads solution records as the solver writes them', () => {
    const run = (code: string, extra = {}) => ({ code, output: '', timedOut: false, ...extra });
    const s = confidenceSample({ sample: 3, answer: '2', value: 0.4, greedy: false, codeRuns: [run('left = 7 - 5'), run('x', { error: { type: 'NameError' } }), run('y', { timedOut: true })] }, 'Sam has 7 apples and eats 5. How many are left?');
    expect(s).toEqual({ id: 3, answer: '2', value: 0.4, greedy: false, codeRuns: 3, failedRuns: 2, grounded: true });
  });

  it('calls a symbolic solution verified', () => {
    expect(symbolicConfidence().level).toBe('verified');
  });
});

describe("a package's measured selection", () => {
  const raw = JSON.parse(readFileSync('models/packages/demo-mario-tiny/manifest.json', 'utf8')) as Record<string, unknown>;
  it('is read from the demo manifest: greedy (measured best on held-out problems) with its confidence thresholds', () => {
    const m = parseManifest(raw);
    expect(m.selection?.strategy).toBe('greedy');
    expect(m.selection?.confidence).toEqual({ minAgreement: expect.any(Number), minValue: expect.any(Number), minGrounded: expect.any(Number) });
  });
  it('refuses an unknown strategy or thresholds outside 0..1, naming the field', () => {
    expect(() => parseManifest({ ...raw, selection: { strategy: 'vibes' } })).toThrow(/"selection.strategy" vibes/);
    expect(() => parseManifest({ ...raw, selection: { strategy: 'majority', confidence: { minAgreement: 2, minValue: 0.5 } } })).toThrow(/selection.confidence/);
    expect(() => parseManifest({ ...raw, selection: { strategy: 'majority', confidence: { minAgreement: 0.5, minValue: 0.5, minGrounded: 1.5 } } })).toThrow(/selection.confidence.minGrounded/);
  });
});

describe('code grounded in the problem', () => {
  const runs = (...codes: string[]) => codes.map((code, i) => ({ code, output: i === 0 ? '30' : '' }));
  it('takes code whose numbers and names come from the problem', () => {
    expect(groundedCode('A jacket costs $80. It is on sale for 35% off. What does it cost now?', runs('sale = 80 * (1 - 35 / 100)\nprint(sale)'))).toBe(true);
    expect(groundedCode('A teacher has 1,250 coins and shares them among 21 students. How many are left over?', runs('left = 1250 % 21\nprint(left)'))).toBe(true);
    // An earlier output is a known number.
    expect(groundedCode('Pens cost $10 each. Ana buys 3. How much does she pay in total?', runs('cost = 3 * 10\nprint(cost)', 'total = 30 + 0\nprint(total)'))).toBe(true);
  });
  it('refuses the template it reached for instead: an area for a shirt, numbers from nowhere', () => {
    expect(groundedCode('A shirt costs $40 and is 25% off. What is the sale price?', runs('area = 25 * 40\nprint(area)'))).toBe(false);
    expect(groundedCode('Sam has 12 apples and gives 5 to Tom. How many apples does Sam have left?', runs('left = 12 * 9 + 2\nprint(left)'))).toBe(false);
    expect(groundedCode('Sam has 12 apples.', [])).toBe(false);
    // Digits in strings and comments are not the computation.
    expect(groundedCode('Sam has 12 apples and eats 5. How many are left?', runs('left = 12 - 5  # 77\nprint("left 99", left)'))).toBe(true);
  });
  it('keeps an answer of ungrounded solutions from being likely, and a package without the figure likely of nothing', () => {
    const { samples, selection } = solve(['56', '56', '56', '56', '56', '56', '56', '12', '56'], Array(9).fill(0.8), [], [0, 1, 2, 3, 4, 5, 6, 8]);
    expect(modelConfidence({ selection, samples, thresholds }).level).toBe('not-sure');
    expect(modelConfidence({ selection, samples, thresholds }).reason).toMatch(/outside what this model knows/);
    const fine = solve(['56', '56', '56', '56', '56', '56', '56', '12', '56'], Array(9).fill(0.8));
    expect(modelConfidence({ ...fine, thresholds }).level).toBe('likely');
    expect(modelConfidence({ ...fine, thresholds: { minAgreement: 0.75, minValue: 0.5 } }).level).toBe('not-sure');
  });
});

describe('unchecked attempts', () => {
  const run = (ok: boolean) => ({ error: ok ? undefined : { type: 'NameError', message: 'x' }, timedOut: false });
  const cluster = (answer: string, members: number[]) => ({ answer, members, count: members.length, bestValue: null, meanValue: null, bestMember: members[0]! });

  it('knows a well-formed answer from noise', () => {
    for (const ok of ['110', '-108', '\\frac{3}{4}', '7.5', '2 x + 1', '\\sqrt{2}', '3 \\pi', '50\\%']) expect(wellFormedAnswer(ok), ok).toBe(true);
    for (const bad of ['-piecespiecespiecespieces)', '$-piecespieces', 'area)', '((2', 'the answer', '']) expect(wellFormedAnswer(bad), bad).toBe(false);
  });

  it('lists at most three well-formed answers from code that ran, and none when no code ran', () => {
    const selection = select('majority', [0, 1, 2, 3, 4, 5].map((id) => ({ id, answer: ['110', '-piecespieces)', '108', '5', '6', '7'][id]!, value: null })));
    const ran = [0, 1, 2, 3, 4, 5].map((sample) => ({ sample, codeRuns: [run(sample !== 2)] }));
    const listed = uncheckedAttempts(selection, ran).map((c) => c.answer);
    expect(listed).toHaveLength(3);
    expect(listed).not.toContain('-piecespieces)');
    expect(listed).not.toContain('108'); // its code failed
    expect(uncheckedAttempts(selection, ran.map((s) => ({ ...s, codeRuns: [run(false)] })))).toEqual([]);
    expect(uncheckedAttempts({ ...selection, clusters: [cluster('12', [0])] }, [{ sample: 0, codeRuns: [] }])).toEqual([]);
    expect(codeRan({ codeRuns: [{ timedOut: true }] })).toBe(false);
  });
});
