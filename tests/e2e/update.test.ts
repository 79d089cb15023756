/**
 * A new version published while a problem is being solved: the new service worker installs
 * and waits (registerType 'prompt', no skipWaiting), the page offers "Reload after this
 * solve", the running solve finishes with the right answer on the old version, and the
 * reader's Reload then switches to the new worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveCountedBuild, type BuildServer } from '../support/build-server.ts';
import { activeServiceWorker, isControlled } from '../support/service-worker.ts';
import { DEMO_PROBLEM as PROBLEM, DEMO_ANSWER as ANSWER } from '../support/demo-problem.ts';

const registration = (page: Page) =>
  page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { active: r?.active?.state ?? null, waiting: r?.waiting?.state ?? null, installing: r?.installing?.state ?? null };
  });

describe('update while solving', () => {
  let app: BuildServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await serveCountedBuild();
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${app.origin}/`);
    await activeServiceWorker(page);
    await page.reload();
    await page.getByTestId('warm-status').waitFor({ state: 'detached', timeout: 120_000 });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('lets a new version wait while a solve runs, and the solve finishes', async () => {
    expect(await isControlled(page)).toBe(true);
    await page.locator('summary', { hasText: 'Settings' }).click();
    await page.getByTestId('setting-samples').fill('4');
    await page.getByTestId('setting-samples').press('Tab');
    await page.getByTestId('problem-input').fill(PROBLEM);
    await page.getByTestId('solve').click();
    await page.getByTestId('cancel').waitFor();

    app.publishServiceWorker("self.__testVersion = 'v2';");
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await expect.poll(() => registration(page), { timeout: 60_000, interval: 250 }).toMatchObject({ active: 'activated', waiting: 'installed' });
    const banner = page.getByTestId('update-available');
    await banner.waitFor();
    const reload = banner.getByRole('button', { name: /Reload/ });
    // The new version arrived mid-solve: the page says so and the reload waits for the solve.
    expect(await page.getByTestId('cancel').count()).toBe(1);
    expect(await reload.isDisabled()).toBe(true);
    expect(await reload.textContent()).toContain('after this solve');

    await page.getByTestId('answer-view').waitFor({ timeout: 150_000 });
    expect(await page.getByTestId('chosen-answer').getAttribute('data-answer')).toBe(ANSWER);
    expect(await registration(page)).toMatchObject({ active: 'activated', waiting: 'installed' });
    expect(await reload.isDisabled()).toBe(false);
  }, 240_000);

  it('switches to the new version when the reader reloads', async () => {
    const navigated = page.waitForEvent('framenavigated', { timeout: 60_000 });
    await page.getByTestId('update-available').getByRole('button', { name: /Reload/ }).click();
    await navigated;
    await page.getByRole('heading', { name: 'Math Tutor' }).waitFor();
    await expect.poll(() => registration(page), { timeout: 30_000 }).toMatchObject({ active: 'activated', waiting: null });
    expect(await isControlled(page)).toBe(true);
    const versions = await Promise.all(context.serviceWorkers().map((w) => w.evaluate(() => (self as unknown as { __testVersion?: string }).__testVersion ?? 'v1')));
    expect(versions).toContain('v2');
  }, 120_000);
});
