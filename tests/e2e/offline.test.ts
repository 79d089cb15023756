/**
 * Offline install: the production build caches itself through its service worker (app
 * shell, Python with sympy, ONNX Runtime's wasm in the precache; model files in the model
 * cache), then, with the browser context offline, reloads and solves a problem with the
 * demo model: the answer is right and no request reaches the network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveCountedBuild, type BuildServer } from '../support/build-server.ts';
import { activeServiceWorker, cachedPaths, isControlled, precacheBytes } from '../support/service-worker.ts';
import { opfsFiles } from '../support/opfs.ts';
import { MODEL_CACHE } from '../../vite.config.ts';
import { DEMO_PROBLEM as PROBLEM, DEMO_ANSWER as ANSWER } from '../support/demo-problem.ts';

describe('offline install', () => {
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
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('precaches the app shell, Python, sympy and ONNX Runtime, but no model file', async () => {
    await page.goto(`${app.origin}/`);
    expect(await activeServiceWorker(page)).toBe(`${app.origin}/sw.js`);
    const cacheName = await page.evaluate(async () => (await caches.keys()).find((key) => key.startsWith('workbox-precache')) ?? '');
    const paths = await cachedPaths(page, cacheName);
    expect(paths).toContain('/index.html');
    expect(paths).toEqual(expect.arrayContaining(['/pyodide/pyodide.mjs', '/pyodide/pyodide.asm.wasm', '/pyodide/python_stdlib.zip', '/pyodide/sympy.zip', '/pyodide/packages.json']));
    expect(paths.some((p) => /^\/assets\/ort-wasm-simd-threaded\.jsep-[\w-]+\.wasm$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/assets\/solver\.worker-[\w-]+\.js$/.test(p))).toBe(true);
    expect(paths.filter((p) => p.startsWith('/models/'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('/embed'))).toEqual([]);
    const size = await precacheBytes(page);
    console.log(`precache: ${size.entries} files, ${(size.bytes / 1e6).toFixed(1)} MB`);
  }, 180_000);

  it('keeps the model files in the model cache or the model store once the page is controlled', async () => {
    // registerType 'prompt' does not claim open pages: the worker controls the next load.
    await page.reload();
    expect(await isControlled(page)).toBe(true);
    // Offline, the package must come from the model cache (the service worker's network-first
    // cache of /models/) or from the model store (OPFS, where the loader keeps verified files).
    const where = async () => {
      const cached = (await cachedPaths(page, MODEL_CACHE)).filter((p) => p.startsWith('/models/demo-mario-tiny/'));
      const stored = (await opfsFiles(page)).filter((p) => p.includes('demo-mario-tiny/'));
      const kept = (pattern: RegExp) => cached.some((p) => pattern.test(p)) || stored.some((p) => pattern.test(p));
      return { manifest: cached.includes('/models/demo-mario-tiny/manifest.json'), graph: kept(/model\w*\.onnx$/), tokenizer: kept(/\/tokenizer\.json$/), cached, stored };
    };
    await expect.poll(where, { timeout: 120_000, interval: 500 }).toMatchObject({ manifest: true, graph: true, tokenizer: true });
    // The model is ready (the warm-up notice is gone) before the network goes away.
    await page.getByTestId('warm-status').waitFor({ state: 'detached', timeout: 120_000 });
    const { cached, stored } = await where();
    console.log(`model files in the model cache: ${JSON.stringify(cached)}; in OPFS: ${JSON.stringify(stored)}`);
  }, 240_000);

  it('solves a problem offline after a reload, with no request reaching the network', async () => {
    const served = app.requests.length;
    const pageRequests: Request[] = [];
    const failed: string[] = [];
    const modelCacheAttempts: string[] = [];
    const onRequest = (r: Request) => pageRequests.push(r);
    // The model cache is network-first: its worker tries the network, fails at once offline, and answers from the cache.
    const onFailed = (r: Request) => {
      const modelCacheAttempt = r.serviceWorker() !== null && new URL(r.url()).pathname.startsWith('/models/') && r.failure()?.errorText === 'net::ERR_INTERNET_DISCONNECTED';
      if (modelCacheAttempt) modelCacheAttempts.push(new URL(r.url()).pathname);
      else failed.push(`${r.url()} (${r.failure()?.errorText ?? ''})`);
    };
    context.on('request', onRequest);
    context.on('requestfailed', onFailed);
    await context.setOffline(true);
    // The network is really gone: a path no cache holds cannot be fetched.
    expect(await page.evaluate(() => fetch('/offline-probe', { cache: 'no-store' }).then(() => 'reached', () => 'failed'))).toBe('failed');
    failed.length = 0;
    pageRequests.length = 0;
    modelCacheAttempts.length = 0;

    const started = Date.now();
    await page.reload();
    await page.getByRole('heading', { name: 'Math Tutor' }).waitFor();
    expect(await isControlled(page)).toBe(true);
    await page.getByTestId('problem-input').fill(PROBLEM);
    await page.getByTestId('solve').click();
    await page.getByTestId('answer-view').waitFor({ timeout: 150_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`offline: reload to answer ${seconds.toFixed(1)} s`);
    expect(await page.getByTestId('chosen-answer').getAttribute('data-answer')).toBe(ANSWER);

    context.off('request', onRequest);
    context.off('requestfailed', onFailed);
    // Only the browser's own update check for the worker script gets out: Chromium makes it
    // outside the page's emulated network (a really offline browser fails it and keeps the
    // installed worker). Nothing the app, its workers or the service worker asked for did.
    const updateCheck = /^\/(sw\.js|workbox-[\w-]+\.js)$/;
    expect(app.requests.slice(served).filter((path) => !updateCheck.test(path))).toEqual([]);
    expect(failed).toEqual([]);
    console.log(`offline: model cache network attempts that failed before leaving the browser: ${JSON.stringify(modelCacheAttempts)}`);
    const fromNetwork = [];
    for (const r of pageRequests) {
      if (r.url().startsWith('data:') || r.url().startsWith('blob:') || r.serviceWorker() !== null) continue;
      const response = await r.response();
      if (!response?.fromServiceWorker()) fromNetwork.push(r.url());
    }
    expect(fromNetwork).toEqual([]);
    expect(pageRequests.length).toBeGreaterThan(0);
    await context.setOffline(false);
  }, 240_000);
});
