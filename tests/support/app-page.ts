/**
 * The common start of an end-to-end test: the production build served on loopback, Chromium, one
 * page of the app with its requests watched and its page errors logged.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { serveBuild, type Running } from './servers.ts';
import { watchRequests, type RequestLog } from './request-monitor.ts';

export interface AppPage {
  app: Running;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  log: RequestLog;
  close(): Promise<void>;
}

export async function openAppPage(path = '/'): Promise<AppPage> {
  const app = await serveBuild();
  const browser = await launchChromium();
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const log = watchRequests(context, app.origin);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.origin}${path}`);
  return { app, browser, context, page, log, close: async () => void (await browser.close(), await app.close()) };
}

/** Types `problem`, presses Solve and waits for this problem's own result (not the previous one's). */
export async function solveOnPage(page: Page, problem: string, timeout = 150_000) {
  await page.getByTestId('problem-input').fill(problem);
  await page.getByTestId('solve').click();
  await page.waitForFunction((text) => document.querySelector<HTMLElement>('[data-testid="result"]')?.dataset.question === text || document.querySelector('[data-testid="solve-error"]') !== null, problem, { timeout });
  return page.getByTestId('result');
}
