/**
 * A full disk while the history is saved: IndexedDB's `put` on the history store fails
 * with the QuotaExceededError a full quota gives (injected in the page, since headless
 * Chromium ignores the DevTools quota override). The solve result is still shown, and
 * the page says the problem could not be saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { DEMO_PROBLEM as PROBLEM } from '../support/demo-problem.ts';

describe('storage full while saving history', () => {
  let app: Running;
  let browser: Browser;

  beforeAll(async () => {
    app = await serveBuild();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the answer and says the problem could not be saved', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if (this.name === 'history') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    const page = await context.newPage();
    await page.goto(`${app.origin}/`);
    await page.getByTestId('problem-input').fill(PROBLEM);
    await page.getByTestId('solve').click();
    await page.getByTestId('answer-view').waitFor({ timeout: 150_000 });
    expect(await page.getByTestId('chosen-answer').getAttribute('data-answer')).toBeTruthy();
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 }).toMatch(/storage is full, so this problem could not be saved/);
    // The result stays on the page; the history stays empty.
    expect(await page.getByTestId('solution-card').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('history-entry').count()).toBe(0);
    await context.close();
  }, 200_000);
});
