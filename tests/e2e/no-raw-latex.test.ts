/**
 * No raw LaTeX in front of a student: the page (production build, Chromium, the bundled demo model, real
 * Python) solves its own examples and problems of every kind the tutor meets (equations with brackets,
 * percentages, inequalities, word problems it knows and word problems it does not), and after each the
 * visible text of the result, with KaTeX's output removed, must hold no `$...$` span and no TeX command.
 * Code blocks are code (a Python `\n` is not TeX) and text the student types or picks (the input, its preview, the examples list, the
 * history) may hold prices, and the model manager describes models in prose, so those are left out; a span that reads as two prices ("$12 for adults and $")
 * is not math.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openAppPage, solveOnPage, type AppPage } from '../support/app-page.ts';
import { EXAMPLES } from '../../web/lib/examples.ts';
import { looksLikeCurrency } from '../../web/lib/render-math.ts';

/** Problems of every kind beyond the examples, among them the ones that showed raw LaTeX. */
const PROBLEMS = [
  'Solve 2(x - 3) = 4x + 10',
  'What is 15% of 240?',
  'Solve 2x + 3 > 7',
  'Solve for x: x/4 + 2 = 5',
  'Simplify (x^2 - 9)/(x - 3)',
  'A shirt costs $40 and is 25% off. What is the sale price?',
  'Sam has 12 apples and gives 5 to Tom. How many apples does Sam have left?',
  'Find the area of a circle with radius 3.',
];

/** The visible text of the page's results: KaTeX output, code and what the student typed removed. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!.cloneNode(true) as HTMLElement;
    main.querySelectorAll('.katex, .katex-display, pre, code:not(.tex-error), textarea, input, select, .preview, [data-testid="history"], [data-testid="models-box"]').forEach((el) => el.remove());
    // A line break ends a span: two stray dollars on different lines of a model's text are not math.
    main.querySelectorAll('br, p, li, div').forEach((el) => el.after('\n'));
    return main.textContent ?? '';
  });
}

/** `$...$` spans that are not prices, and TeX commands, in `text`. */
function rawLatex(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?<!\\)\$([^$\n]+?)\$/g)) if (!looksLikeCurrency(m[1]!)) found.push(m[0]);
  for (const m of text.matchAll(/\\(?:[a-zA-Z]+|[()[\]{}])/g)) found.push(m[0]);
  return found;
}

describe('no raw LaTeX on the page', () => {
  let opened: AppPage;

  beforeAll(async () => {
    opened = await openAppPage();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('knows raw LaTeX when it sees it', () => {
    expect(rawLatex('Solving: $2 \\left(x - 3\\right) = 4 x + 10$')).not.toEqual([]);
    expect(rawLatex('Solving: $x^2$')).toEqual(['$x^2$']);
    expect(rawLatex('Tickets cost $12 for adults and $5 for children.')).toEqual([]);
  });

  it('shows every solved problem as rendered math, never as source', async () => {
    const seen: string[] = [];
    for (const problem of [...EXAMPLES.map((e) => e.problem), ...PROBLEMS]) {
      await solveOnPage(opened.page, problem);
      // Every hidden part too: the step details and the collapsed solutions.
      await opened.page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      const raw = rawLatex(await visibleText(opened.page));
      if (raw.length) seen.push(`"${problem}": ${raw.slice(0, 5).join(' | ')}`);
    }
    expect(seen, seen.join('\n')).toEqual([]);
    expect(opened.log.offOrigin).toEqual([]);
  }, 900_000);
});
