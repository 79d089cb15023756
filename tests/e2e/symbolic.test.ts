/**
 * The symbolic solver on the page, end to end: the production build in Chromium, the trusted interpreter
 * with the page's own archive. The page's two algebra examples and a derivative are solved step by step
 * (rule names, sub-steps, the check), without a cluster chart or sample cards; hint mode reveals one step
 * at a time; "check my answer" grades against the symbolic answer. No request leaves the origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';
import { EXAMPLES } from '../../web/lib/examples.ts';

describe('symbolic solutions on the page', () => {
  let app: Running;
  let browser: Browser;
  let page: Page;
  let log: RequestLog;
  const errors: string[] = [];

  beforeAll(async () => {
    app = await serveBuild();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    log = watchRequests(context, app.origin);
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.origin}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function solve(problem: string) {
    await page.getByTestId('problem-input').fill(problem);
    await page.getByTestId('solve').click();
    await page.getByTestId('symbolic-view').waitFor({ timeout: 120_000 });
  }
  const rules = () => page.getByTestId('step-rule').allTextContents();

  const algebra = EXAMPLES.filter((e) => e.topic === 'Equations').slice(0, 2);

  it('solves the first algebra example step by step and checks the solution', async () => {
    const example = algebra[0]!;
    await solve(example.problem);
    expect(await page.getByTestId('chosen-answer').getAttribute('data-answer')).toBe(example.answer);
    expect(await page.getByTestId('solving').textContent()).toMatch(/^Solving:/);
    const names = await rules();
    expect(names).toEqual(expect.arrayContaining(['collect terms', 'check']));
    expect(await page.getByTestId('cluster-panel').count()).toBe(0);
    expect(await page.locator('section.cards').count()).toBe(0);
  });

  it('reveals one step at a time in hint mode', async () => {
    const all = await page.getByTestId('answer-step').count();
    expect(all).toBeGreaterThan(1);
    await page.getByTestId('hint-mode').click();
    await expect.poll(() => page.getByTestId('answer-step').count()).toBe(1);
    await page.getByTestId('next-hint').click();
    await expect.poll(() => page.getByTestId('answer-step').count()).toBe(2);
  });

  it('checks the student answer against the symbolic answer', async () => {
    await page.getByRole('button', { name: 'Show the whole solution' }).click();
    await page.getByTestId('student-answer').fill('11');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('answer-feedback').textContent()).toMatch(/^Not quite/);
    await page.getByTestId('student-answer').fill('12');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('answer-feedback').textContent()).toMatch(/^Correct/);
  });

  it('solves the second algebra example by factoring, with collapsible sub-steps', async () => {
    const example = algebra[1]!;
    await solve(example.problem);
    await expect.poll(() => page.getByTestId('chosen-answer').getAttribute('data-answer')).toBe(example.answer);
    expect(await rules()).toEqual(expect.arrayContaining(['factor', 'zero product', 'check']));
    const details = page.locator('[data-testid="symbolic-view"] details').first();
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await details.locator('summary').click();
    await expect.poll(() => details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
  });

  it('differentiates with named rules', async () => {
    await solve('What is the derivative of x^3 sin x?');
    await expect.poll(() => rules()).toEqual(expect.arrayContaining(['product rule', 'power rule', 'trig rule']));
    await page.getByTestId('student-answer').fill('3x^2 sin(x) + x^3 cos(x)');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('answer-feedback').textContent(), { timeout: 30_000 }).toMatch(/^Correct/);
  });

  it('made no request off the origin and threw no page errors', () => {
    expect(log.offOrigin).toEqual([]);
    expect(errors).toEqual([]);
  });
});
