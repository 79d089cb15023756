/** Problem checks, answer feedback, step splitting and math rendering (pure, in Node). */
import { describe, expect, it } from 'vitest';
import { checkProblem, MAX_PROBLEM_CHARS } from '../../web/lib/validate-problem.ts';
import { checkStudentAnswer } from '../../web/lib/check-answer.ts';
import { splitSteps } from '../../web/lib/steps.ts';
import { renderLatex, renderMathText } from '../../web/lib/render-math.ts';
import { rephrasing, whatWouldHelp } from '../../web/lib/what-would-help.ts';
import { FORMATS } from '../../workers/solver/formats.ts';

describe('problem checks', () => {
  it('accepts a word problem and tidies whitespace', () => {
    const r = checkProblem('  A train goes   60 km in 1.5 hours.\r\nHow fast is it?  ');
    expect(r.ok).toBe(true);
    expect(r.text).toBe('A train goes 60 km in 1.5 hours.\nHow fast is it?');
  });
  it('accepts inline LaTeX', () => {
    expect(checkProblem('Solve $x^2 - 5x + 6 = 0$.').ok).toBe(true);
    expect(checkProblem('Find \\(\\frac{3}{4} + \\frac{1}{8}\\).').ok).toBe(true);
  });
  it('explains an empty problem', () => {
    expect(checkProblem('   \n ')).toMatchObject({ ok: false, issue: 'empty' });
  });
  it('refuses a 20,000-character paste with the numbers', () => {
    const r = checkProblem('What is 2+2? '.repeat(1600));
    expect(r).toMatchObject({ ok: false, issue: 'too-long' });
    expect(r.message).toContain(MAX_PROBLEM_CHARS.toLocaleString('en'));
  });
  it('says when text is not a math problem', () => {
    expect(checkProblem('Tell me a story about dragons')).toMatchObject({ ok: false, issue: 'not-math' });
  });
  it('names LaTeX that does not parse', () => {
    const r = checkProblem('Compute $\\frac{1}{2$ now.');
    expect(r).toMatchObject({ ok: false, issue: 'bad-latex' });
    const r2 = checkProblem('Compute $\\fracc{1}{2}$.');
    expect(r2.issue).toBe('bad-latex');
    expect(r2.message).toContain('\\fracc');
  });
  it('allows an escaped dollar sign', () => {
    expect(checkProblem('A pen costs \\$3. How much do 4 pens cost?').ok).toBe(true);
  });
});

describe('check my answer', () => {
  it('accepts equivalent forms with a helpful message', async () => {
    const half = await checkStudentAnswer('0.5', '\\frac{1}{2}');
    expect(half.correct).toBe(true);
    expect(half.message).toContain('same number');
    expect((await checkStudentAnswer('50%', '0.5')).message).toContain('percentage');
    expect((await checkStudentAnswer('42', '42')).message).toBe('Correct!');
  });
  it('rejects a wrong answer kindly and asks for input when empty', async () => {
    const wrong = await checkStudentAnswer('41', '42');
    expect(wrong.correct).toBe(false);
    expect(wrong.message).toContain('42');
    expect((await checkStudentAnswer(' ', '42')).message).toBe('Type your answer first.');
  });
});

describe('solution steps', () => {
  const solution =
    '<p>\nFirst find the total.\n</p>\n\n<code>\n```python\ntotal = 3 * 14\nprint(total)\n```\n</code>\nOutput: 42\n\n<p>\nFinal Answer: $42$\n</p>';
  it('splits a MARIO solution into text, code with output, and the answer', () => {
    expect(splitSteps(FORMATS.mario, solution)).toEqual([
      { kind: 'text', text: 'First find the total.' },
      { kind: 'code', code: 'total = 3 * 14\nprint(total)', output: '42', complete: true },
      { kind: 'text', text: 'Final Answer: $42$' },
    ]);
  });
  it('shows a code step still being written', () => {
    const steps = splitSteps(FORMATS.mario, '<p>\nGo.\n</p>\n\n<code>\n```python\nx = 1');
    expect(steps.at(-1)).toEqual({ kind: 'code', code: 'x = 1', complete: false });
  });
  it('splits a Qwen tool-integrated solution', () => {
    const text = 'Compute it.\n```python\nprint(6*7)\n```\n```output\n42\n```\nSo \\boxed{42}.';
    const steps = splitSteps(FORMATS['qwen25-math-tir'], text);
    expect(steps).toEqual([
      { kind: 'text', text: 'Compute it.' },
      { kind: 'code', code: 'print(6*7)', output: '42', complete: true },
      { kind: 'text', text: 'So \\boxed{42}.' },
    ]);
  });
});

describe('math rendering', () => {
  it('renders inline math with KaTeX and escapes the text', () => {
    const html = renderMathText('If <b>x</b> = $\\frac{1}{2}$ then');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('class="katex"');
  });
  it('shows math that does not parse as source instead of failing', () => {
    expect(renderMathText('bad $\\frac{1$ math')).toContain('tex-error');
  });
  it('reads "$12 for adults and $5" as prices, not math', () => {
    const html = renderMathText('Tickets cost $12 for adults and $5 for children, and $x^2$ is math.');
    expect(html).toContain('Tickets cost $12 for adults and $5 for children');
    expect((html.match(/class="katex"/g) ?? []).length).toBe(1);
    expect(checkProblem('Tickets cost $12 for adults and $5 for children. What is the total for 3 adults?').ok).toBe(true);
    expect(checkProblem('A pen costs $3. How much do 4 pens cost?').ok).toBe(true);
  });

  it('renders the solver\'s own LaTeX as math even where it looks like prices', () => {
    // What the rules read: starts with a digit and has spaces, which the price heuristic would take for "$2 ... $".
    for (const tex of ['2 \\left(x - 3\\right) = 4 x + 10', '15\\% \\text{ of } 240', '2 x + 3 > 7']) {
      const html = renderLatex(tex);
      expect(html.startsWith('<span class="katex">')).toBe(true);
      expect(html).not.toContain('tex-error');
      // The source survives only as KaTeX's MathML annotation, never as visible text.
      const visible = html.replace(/<annotation[^>]*>[\s\S]*?<\/annotation>/g, '');
      expect(visible).not.toContain('\\');
      expect(visible).not.toContain('$');
    }
    const sentence = renderMathText('Substitute $2 x + 3 = 7$ back: both sides are $7$.', { currency: false });
    expect((sentence.match(/class="katex"/g) ?? []).length).toBe(2);
    expect(renderMathText('Substitute $2 x + 3 = 7$ back.')).toContain('$2 x + 3 = 7$');
  });

  it('keeps an escaped dollar as a dollar', () => {
    expect(renderMathText('costs \\$5')).toBe('costs $5');
  });
});

describe('what would help', () => {
  it('names a larger model this device can run first', () => {
    expect(whatWouldHelp('Sam has 12 apples and gives 5 to Tom.', { title: 'Qwen2.5-Math 1.5B' })).toBe('What would help: a larger model this device can run, Qwen2.5-Math 1.5B (in Models below).');
  });
  it('builds the rephrasing from the student\'s own numbers where the words name the operation', () => {
    expect(rephrasing('Sam has 12 apples and gives 5 to Tom. How many apples does Sam have left?')).toBe('12 - 5');
    expect(rephrasing('A shirt costs $40 and is 25% off. What is the sale price?')).toBe('75% of 40');
    expect(rephrasing('What is 20% of 1,250 people?')).toBe('20% of 1250');
    expect(rephrasing('Pens come in packs of 6. How many pens are in 4 packs?')).toBe('6 * 4');
    expect(rephrasing('Share 24 sweets equally among 3 children.')).toBe('24 / 3');
    expect(rephrasing('Find the area of a circle with radius 3.')).toBeUndefined();
    expect(whatWouldHelp('Find the area of a circle with radius 3.', undefined)).toMatch(/^What would help: writing it as an equation or expression the rules solve exactly/);
  });
});
