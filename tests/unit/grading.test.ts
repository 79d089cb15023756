/** The grader against its case table, plus answer extraction. */
import { describe, expect, it } from 'vitest';
import { answersEquivalent, compareAnswers, latexToSympy, problemVariables } from '../../workers/solver/equivalence.ts';
import { extractAnswer, lastBoxed } from '../../workers/solver/answer.ts';
import { GRADING_CASES } from './grading-cases.ts';

/** What a naive grader does: strip spacing, dollars, braces and brackets, then compare strings. */
const naive = (s: string) => s.replace(/\\left|\\right|[\s${}()[\]]/g, '').toLowerCase();

describe('answer equivalence', () => {
  it('has at least 150 cases, with naive string comparison wrong both ways', () => {
    expect(GRADING_CASES.length).toBeGreaterThanOrEqual(150);
    const naiveSaysSameWrongly = GRADING_CASES.filter(([p, r, eq]) => !eq && naive(p) === naive(r));
    const naiveSaysDifferentWrongly = GRADING_CASES.filter(([p, r, eq]) => eq && naive(p) !== naive(r));
    expect(naiveSaysSameWrongly.length).toBeGreaterThanOrEqual(5);
    expect(naiveSaysDifferentWrongly.length).toBeGreaterThanOrEqual(50);
  });

  const fast = GRADING_CASES.filter((c) => c[3] !== 'symbolic');
  it.each(fast)('%s vs %s -> %s', (pred, ref, equal) => {
    const verdict = compareAnswers(pred, ref);
    expect(verdict.how).not.toBe('undecided');
    expect(verdict.equal).toBe(equal);
    // Equivalence is symmetric.
    expect(compareAnswers(ref, pred).equal).toBe(equal);
  });

  const symbolic = GRADING_CASES.filter((c) => c[3] === 'symbolic');
  it.each(symbolic)('%s vs %s is left to sympy', async (pred, ref) => {
    expect(compareAnswers(pred, ref).how).toBe('undecided');
    expect(latexToSympy(pred)).toBeDefined();
    // Without a symbolic engine the answer is "not shown equal".
    expect((await answersEquivalent(pred, ref)).equal).toBe(false);
  });

  it('turns LaTeX into sympy syntax and refuses what sympy must not run', () => {
    expect(latexToSympy('\\frac{x^2-1}{x-1}')).toBe('((x**2-1)/(x-1))');
    expect(latexToSympy('\\sqrt[3]{x}')).toBe('((x)**(1/(3)))');
    expect(latexToSympy('2\\pi r')).toBe('2 pi  r');
    expect(latexToSympy('__import__("os")')).toBeUndefined();
    expect(latexToSympy('a=b')).toBeUndefined();
  });
});

describe('answer extraction', () => {
  it.each([
    ['<p>\nFinal Answer: $42$\n</p>', '42'],
    ['Final Answer: $\\frac{1}{2}$', '\\frac{1}{2}'],
    ['Final Answer: $$3.5$$', '3.5'],
    ['Final Answer: 17.', '17'],
    ['Final Answer: \\(x+1\\)', 'x+1'],
    ['Final Answer: $1$ then again Final Answer: $2$', '2'],
    ['so the answer is \\boxed{\\frac{3}{4}}.', '\\frac{3}{4}'],
    ['\\boxed{1} and later \\boxed{(1, \\{2\\})}', '(1, \\{2\\})'],
    ['\\boxed{\\text{(A)}}', '\\text{(A)}'],
    ['Final Answer: $\\boxed{7}$', '7'],
  ])('%j -> %s', (text, answer) => {
    expect(extractAnswer(text)).toBe(answer);
  });

  it('returns undefined when there is no answer', () => {
    expect(extractAnswer('<p>\nLet me think.\n</p>')).toBeUndefined();
    expect(extractAnswer('Final Answer:')).toBeUndefined();
    expect(lastBoxed('\\boxed{unclosed')).toBeUndefined();
  });

  it('takes the answer the model wrote last among the sources its format names', () => {
    const text = '\\boxed{5}\nFinal Answer: $6$';
    expect(extractAnswer(text, ['boxed', 'final-answer'])).toBe('6');
    expect(extractAnswer(text, ['final-answer', 'boxed'])).toBe('6');
    expect(extractAnswer('Final Answer: $6$\nSo $\\boxed{5}$.', ['final-answer', 'boxed'])).toBe('5');
    // A source the format does not name is not read.
    expect(extractAnswer(text, ['boxed'])).toBe('5');
  });
});

describe('letters of the problem', () => {
  it('finds the variables of a problem, not its articles', () => {
    expect(problemVariables('Solve for y: 3x + 2y = 12').sort()).toEqual(['x', 'y']);
    expect(problemVariables('Find the area of a rectangle 3 m by 4 m')).toEqual([]);
    expect(problemVariables('Simplify 5s^2 * 15 s^3')).toEqual(['s']);
    expect(problemVariables('Let f(o) = -o**2 + 3*o - 1. What is f(-10)?').sort()).toEqual(['f', 'o']);
    expect(problemVariables('Is a square a rectangle?')).toEqual([]);
  });
  it('does not strip a variable as a unit, strips a unit where the gold is a plain number', () => {
    expect(compareAnswers('5 m', '5', { variables: ['m'] }).equal).toBe(false);
    expect(compareAnswers('5 m', '5').equal).toBe(true);
    expect(compareAnswers('75 s^{4}', '75 s^{5}').equal).toBe(false);
  });
});

describe('sets and bases as MATH500 writes them', () => {
  it('drops "x \\in" before a set, reads 4210_{5} as 4210_5', () => {
    expect(compareAnswers('[-2, 7]', 'x \\in [-2,7]').equal).toBe(true);
    expect(compareAnswers('[-2, 8]', 'x \\in [-2,7]').equal).toBe(false);
    expect(compareAnswers('4210_{5}', '4210_5').equal).toBe(true);
    expect(compareAnswers('4211_{5}', '4210_5').equal).toBe(false);
  });
});
