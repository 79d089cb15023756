/**
 * Reading problems: the request built in JavaScript (LaTeX spans to MathJSON with Compute Engine's parser),
 * then the problem as Python reads it back ("Solving: ..."), parse failures with what was read and where,
 * words that go to the model, and the time limit. Pyodide in Node with the page's own archive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTrustedPython, type NodePython } from '../../workers/symbolic/node-python.ts';
import { symbolicRequest } from '../../workers/symbolic/request.ts';
import { solveSymbolic, symbolicProgram } from '../../workers/symbolic/solver.ts';

describe('the request (JavaScript side)', () => {
  it('keeps plain text as it is typed', () => {
    expect(symbolicRequest('3x-7=2x+5')).toEqual({ text: '3x-7=2x+5', math: [] });
  });
  it('replaces each $...$ span by a placeholder and parses it to MathJSON', () => {
    const r = symbolicRequest('Solve for $x$: $3x - 7 = 2x + 5$');
    expect(r.text).toBe('Solve for ⟦0⟧ : ⟦1⟧');
    expect(r.math[1]!.json).toEqual(['Equal', ['Subtract', ['InvisibleOperator', 3, 'x'], 7], ['Add', ['InvisibleOperator', 2, 'x'], 5]]);
  });
  it('reads LaTeX pasted without dollar signs, and \\dbinom, \\left/\\right and spacing commands', () => {
    expect(symbolicRequest('\\int x e^x\\,dx').math[0]!.json).toEqual(['Integrate', ['InvisibleOperator', 'x', ['Power', 'e', 'x']], 'x']);
    expect(symbolicRequest('Compute $\\dbinom{31}{28}$.').math[0]!.json).toEqual(['Binomial', 31, 28]);
    expect(symbolicRequest('$\\left(x+1\\right)^2$').math[0]!.json).toEqual(['Power', ['Delimiter', ['Add', 'x', 1]], 2]);
  });
  it('splits "Solve for $x: E$" into the words and the equation', () => {
    expect(symbolicRequest('Solve for $x: 3^{2x} + 19 = 10^x$.').text).toBe('Solve for x: ⟦0⟧.');
  });
  it('writes a Python program that carries the request as a string literal', () => {
    const program = symbolicProgram({ text: 'say "hi"\n⟦0⟧', math: [] });
    expect(program).toContain('tutor_symbolic.solve_json(');
    expect(program).toContain(JSON.stringify(JSON.stringify({ text: 'say "hi"\n⟦0⟧', math: [] })));
  });
});

let python: NodePython;
beforeAll(async () => {
  python = await nodeTrustedPython();
}, 180_000);
afterAll(async () => python?.close());

describe('reading the problem back (Python side)', () => {
  const problemOf = async (text: string) => {
    const o = await solveSymbolic(text, python.run);
    if (o.status !== 'solved') throw new Error(`${text}: ${o.status}`);
    return o.problem;
  };
  it("keeps the student's own form in step 1 (evaluate=False)", async () => {
    expect(await problemOf('Solve for x: 3x - 7 = 2x + 5')).toBe('3 x - 7 = 2 x + 5');
    expect(await problemOf('1/2 + 1/3')).toBe('\\frac{1}{2} + \\frac{1}{3}');
    expect(await problemOf('$\\frac{x+3}{x+2}-\\frac{x}{x-2}=\\frac{5x}{x^2-4}$')).toBe(
      '\\frac{x + 3}{x + 2} - \\frac{x}{x - 2} = \\frac{5 x}{x^{2} - 4}',
    );
  });
  it('reads the inputs students type: words around the math, implicit products, ^, |..|, !, %', async () => {
    for (const [text, answer] of [
      ['Solve for x: 3x-7=2x+5', '12'],
      ['x^2-7x+10=0', '2, 5'],
      ['sqrt(x+3)=x-3', '6'],
      ['d/dx x^3 sin x', 'x^{2} (x \\cdot \\cos{(x )} + 3 \\cdot \\sin{(x )})'],
      ['integrate x e^x', '(x - 1) e^{x} + C'],
      ['lim x->2 (x^2-4)/(x-2)', '4'],
      ['gcd(84,126)', '42'],
      ['C(10,3)', '120'],
      ['Factor x^2-9', '(x - 3) (x + 3)'],
      ['Simplify (x^2-1)/(x-1)', 'x + 1'],
      ['Find the derivative of x^2 e^x', 'x (x + 2) e^{x}'],
      ['|2x-3|=5', '-1, 4'],
      ['What is 20% of 150?', '30'],
      ['$\\binom{8}{5}$', '56'],
      ['\\lim_{x\\to 0}\\frac{\\sin x}{x}', '1'],
    ] as const) {
      const o = await solveSymbolic(text, python.run);
      expect(o.status === 'solved' ? o.answer : `${o.status}: ${'reason' in o ? o.reason : o.message}`, text).toBe(answer);
    }
  });
  it('says what was read and where plain text fails to parse', async () => {
    const o = await solveSymbolic('x +* 2', python.run);
    expect(o).toMatchObject({ status: 'parse-error', read: 'x +* 2', position: 3 });
    const bars = await solveSymbolic('|x - 1 = 2', python.run);
    expect(bars).toMatchObject({ status: 'parse-error', message: 'An absolute-value bar | is not closed.' });
  });
  it('says what was read and where LaTeX fails to parse', async () => {
    const o = await solveSymbolic('$x^2 + ($', python.run);
    expect(o.status).toBe('parse-error');
    if (o.status !== 'parse-error') return;
    expect(o.read).toBe('x^2 + (');
    expect(o.position).toBe(4);
    expect(o.message).toMatch(/^Could not read the LaTeX/);
  });
  it('declines word problems and unsupported questions (they go to the model), never with a traceback', async () => {
    for (const text of [
      'A jacket costs $80. It is on sale for 35% off. What does it cost now?',
      'What is the smallest positive perfect cube that can be written as the sum of three consecutive integers?',
      'Simplify sin(x)^2 + cos(x)^2',
      'Find the area of the shaded region in the figure',
    ]) {
      const o = await solveSymbolic(text, python.run);
      expect(o.status, text).toBe('declined');
      expect(JSON.stringify(o)).not.toMatch(/Traceback|File "/);
    }
  });
  it('stops a slow problem at its time limit with a clear message', async () => {
    const o = await solveSymbolic('Factor x^200 - y^200 + x^199 y - 3 x^150 y^50 + 7', python.run, 300);
    if (o.status === 'solved') throw new Error('finished inside 300 ms; pick a slower problem');
    expect(o.status).toBe('timeout');
    if (o.status === 'timeout') expect(o.message).toMatch(/stopped after/);
    // The interpreter is still usable afterwards.
    expect((await solveSymbolic('1 + 1', python.run)).status).toBe('solved');
  });
});
