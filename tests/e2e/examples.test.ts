/**
 * The page's examples are promises: every one is picked from the list, solved by the page (the
 * production build in Chromium, the bundled demo model, real Python) and shown as the answer,
 * right (as written, or by the page's own "check my answer"), by the method the list names and with
 * a confidence the page acts on. A wrong one fails with the example's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openAppPage, type AppPage } from '../support/app-page.ts';
import { EXAMPLES } from '../../web/lib/examples.ts';
import { compareAnswers } from '../../workers/solver/equivalence.ts';

describe('the examples list', () => {
  let opened: AppPage;
  let page: Page;

  beforeAll(async () => {
    opened = await openAppPage();
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('solves every example right, by the method it names, and says so with confidence', async () => {
    const wrong: string[] = [];
    for (const [index, example] of EXAMPLES.entries()) {
      await page.getByTestId('examples').selectOption(String(index));
      expect(await page.getByTestId('problem-input').inputValue()).toBe(example.problem);
      await page.getByTestId('solve').click();
      // The result of this problem (not the previous one's, still on the page for a moment).
      await page.waitForFunction((text) => document.querySelector<HTMLElement>('[data-testid="result"]')?.dataset.question === text || document.querySelector('[data-testid="solve-error"]') !== null, example.problem, { timeout: 150_000 });
      const result = page.getByTestId('result');
      const answer = await result.getByTestId('chosen-answer').getAttribute('data-answer', { timeout: 2_000 }).catch(() => null);
      const method = await result.getAttribute('data-method', { timeout: 2_000 }).catch(() => null);
      const confidence = await result.getAttribute('data-confidence', { timeout: 2_000 }).catch(() => null);
      const error = await page.getByTestId('solve-error').textContent({ timeout: 300 }).catch(() => null);
      // Equal as written, or (a form the grader's text rules don't see, e.g. factored) equal by the
      // page's own "check my answer", which asks sympy.
      let right = answer !== null && compareAnswers(answer, example.answer).equal;
      if (answer !== null && !right) {
        await result.getByTestId('student-answer').fill(example.answer);
        await result.getByTestId('student-answer').press('Enter');
        right = /Correct/.test((await result.getByTestId('answer-feedback').textContent({ timeout: 15_000 }).catch(() => '')) ?? '');
      }
      console.log(`${example.method} | ${example.problem.slice(0, 60)} | ${answer} | ${method} | ${confidence}`);
      if (!right || method !== example.method || (confidence !== 'verified' && confidence !== 'likely')) {
        wrong.push(`"${example.problem}": shown ${answer === null ? 'no answer' : `"${answer}"`} by ${method ?? 'no method'} (${confidence ?? 'no confidence'})${error ? ` after the error "${error}"` : ''}; expected "${example.answer}" by ${example.method}, verified or likely`);
      }
    }
    expect(wrong, wrong.join('\n')).toEqual([]);
    expect(opened.log.offOrigin).toEqual([]);
  }, 900_000);
});
