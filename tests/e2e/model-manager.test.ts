/**
 * The model manager in the production build: every registry entry shows its size,
 * memory and where it would run before anything is downloaded; a model this device
 * cannot hold says why; the bundled model downloads into the browser's storage with
 * progress, pauses, resumes, and is deleted again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';

describe('model manager', () => {
  let app: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let log: RequestLog;
  const demo = () => page.locator('[data-testid="model-entry"][data-model="demo-mario-tiny"]');
  // The demo model's graph is held back until the download test lets it through, so that
  // a download is still running when Pause is pressed (the page also loads it on start).
  const GRAPH = '**/models/demo-mario-tiny/onnx/*.onnx';
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const hold = async (route: Route) => {
    await held;
    await route.continue().catch(() => {});
  };

  beforeAll(async () => {
    app = await serveBuild();
    browser = await launchChromium();
    context = await browser.newContext({ serviceWorkers: 'block' });
    log = watchRequests(context, app.origin);
    await context.route(GRAPH, hold);
    page = await context.newPage();
    await page.goto(`${app.origin}/`);
    await page.getByTestId('models-box').locator('summary').click();
    await page.getByTestId('model-manager').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('describes every model before downloading, and warns where one cannot run', async () => {
    const ids = await page.getByTestId('model-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-model')));
    expect(ids).toEqual(['demo-mario-tiny', 'qwen2.5-math-1.5b-instruct', 'mario-ovm-7b']);
    expect(await demo().textContent()).toMatch(/Download 8\.\d MiB[\s\S]*scores its solutions/);
    expect(await demo().getByTestId('model-warning').count()).toBe(0);
    // Headless Chromium has only a software WebGPU adapter: the 7B needs a real GPU.
    const seven = page.locator('[data-testid="model-entry"][data-model="mario-ovm-7b"]');
    expect(await seven.getByTestId('model-warning').first().textContent()).toMatch(/needs a GPU, but this browser has no hardware WebGPU/);
    expect(await seven.getByTestId('model-download').isDisabled()).toBe(true);
    expect(await seven.getByTestId('model-instead').textContent()).toMatch(/Models that fit this device: .*Qwen2\.5-Math.*Demo tutor model/);
    expect(await page.getByTestId('model-device').textContent()).toMatch(/WebAssembly on the CPU/);
  });

  it('downloads the demo model with progress, pauses, resumes, and deletes it', async () => {
    await demo().getByTestId('model-download').click();
    // The configs and tokenizer are kept; the graph is held back.
    await expect.poll(() => demo().getByTestId('model-progress').textContent(), { timeout: 30_000 }).toMatch(/tokenizer_config\.json/);
    await demo().getByTestId('model-pause').click();
    await expect.poll(() => demo().getByTestId('model-message').textContent(), { timeout: 30_000 }).toMatch(/Paused/);
    await expect.poll(() => demo().getByTestId('model-stored').textContent(), { timeout: 30_000 }).toMatch(/Partly downloaded/);
    await context.unroute(GRAPH, hold);
    release();

    await demo().getByTestId('model-download').click();
    await expect.poll(() => demo().getByTestId('model-message').textContent(), { timeout: 60_000 }).toMatch(/Downloaded and verified/);
    // The configs, tokenizer and the WebAssembly graph (q8), not the GPU one.
    await expect.poll(() => demo().getByTestId('model-stored').textContent(), { timeout: 30_000 }).toMatch(/Kept on this device: 2\.\d MiB/);
    const stored = await page.evaluate(async () => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('models');
      const names: string[] = [];
      for await (const [name] of (await root.getDirectoryHandle('demo-mario-tiny')) as unknown as AsyncIterable<[string]>) names.push(name);
      return names.sort();
    });
    expect(stored).toContain('onnx__model_quantized.onnx');
    expect(stored).not.toContain('onnx__model.onnx');

    await demo().getByTestId('model-delete').click();
    await expect.poll(() => demo().getByTestId('model-message').textContent(), { timeout: 30_000 }).toMatch(/Deleted/);
    await expect.poll(() => demo().getByTestId('model-stored').textContent(), { timeout: 30_000 }).toMatch(/Comes with the app/);
    expect(log.offOrigin).toEqual([]);
  }, 120_000);
});
