/**
 * The tutor page end to end: the production build in Chromium, the bundled demo
 * model, real Python. A student types a problem, watches it solved, reads the chosen
 * answer and the clusters, uses hints and "check my answer", reloads to find it in the
 * history, and deletes it. Screenshots at desktop and phone widths are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';
import { DEMO_PROBLEM as PROBLEM, DEMO_ANSWER as ANSWER } from '../support/demo-problem.ts';

const ARTIFACTS = 'tests/artifacts';

describe('tutor page', () => {
  let app: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: RequestLog;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await serveBuild();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    log = watchRequests(context, app.origin);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${app.origin}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('refuses empty and oversized problems with a clear message', async () => {
    await page.getByTestId('solve').click();
    await expect.poll(() => page.getByTestId('problem-message').textContent()).toContain('Type or paste a math problem first.');
    await page.getByTestId('problem-input').fill('What is 2+2? '.repeat(1600));
    await page.getByTestId('solve').click();
    await expect.poll(() => page.getByTestId('problem-message').textContent()).toMatch(/at most 4,000/);
  });

  it('inserts typed math from the math keyboard as $...$', async () => {
    await page.getByTestId('problem-input').fill('Solve');
    await page.getByTestId('math-keyboard').click();
    const field = page.getByTestId('math-field');
    await field.waitFor();
    await field.click();
    await page.keyboard.type('x+1=3');
    await page.getByTestId('math-insert').click();
    await expect.poll(() => page.getByTestId('problem-input').inputValue()).toBe('Solve $x+1=3$');
  });

  it('solves a typed problem with the demo model and shows the answer and clusters', async () => {
    await page.getByTestId('problem-input').fill(PROBLEM);
    await page.getByTestId('solve').click();
    await page.getByTestId('answer-view').waitFor({ timeout: 150_000 });
    await page.screenshot({ path: `${ARTIFACTS}/tutor-desktop.png`, fullPage: true });
    expect(await page.getByTestId('chosen-answer').getAttribute('data-answer')).toBe(ANSWER);
    const explanation = await page.getByTestId('selection-explanation').textContent();
    expect(explanation).toMatch(new RegExp(`of \\d+ solutions? (agree on|gives) ${ANSWER}`));
    expect(await page.getByTestId('cluster-row').count()).toBeGreaterThan(0);
    // 8 sampled solutions and the greedy one the package's default selection (greedy) reads.
    expect(await page.getByTestId('solution-card').count()).toBe(9);
  }, 180_000);

  it('reveals the solution one step at a time in hint mode', async () => {
    await page.getByTestId('hint-mode').click();
    expect(await page.getByTestId('answer-step').count()).toBe(1);
    await page.getByTestId('next-hint').click();
    expect(await page.getByTestId('answer-step').count()).toBe(2);
  });

  it('checks the student answer, accepting an equivalent form', async () => {
    await page.getByTestId('student-answer').fill(`${ANSWER}.0`);
    await page.getByTestId('student-answer').press('Enter');
    await expect.poll(() => page.getByTestId('answer-feedback').textContent()).toMatch(/Correct/);
    await page.getByTestId('student-answer').fill('55');
    await page.getByTestId('student-answer').press('Enter');
    await expect.poll(() => page.getByTestId('answer-feedback').textContent()).toMatch(/Not quite/);
  });

  it('keeps the problem in the history across a reload, and deletes it', async () => {
    await page.reload();
    const entry = page.getByTestId('history-entry').first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Museum tickets');
    await page.getByTestId('history-delete').first().click();
    await expect.poll(() => page.getByTestId('history-entry').count()).toBe(0);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
    await page.evaluate(readFileSync('node_modules/axe-core/axe.min.js', 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
      const result = await axe.run(document);
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/tutor-phone.png`, fullPage: true });
  });

  it('made no request off its origin', () => {
    expect(log.offOrigin).toEqual([]);
  });
});
