/**
 * A first visit: the page says in one line what the bundled demo model can do and, on a device
 * that can run a real model, recommends the best one that fits, with its size and a one-click
 * download. The device profile is faked where the page reads it: the capability probe worker's
 * script is served with a WebGPU adapter (and device memory) of the given profile put in front,
 * so the app's own probe, fit rules and page run unchanged. Declining the offer changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';

/** What the probe worker sees as navigator.gpu / navigator.deviceMemory. */
interface Profile { fallback: boolean; shaderF16: boolean; maxBufferSize: number; deviceMemory: number }

const LAPTOP: Profile = { fallback: false, shaderF16: true, maxBufferSize: 4 * 1024 ** 3, deviceMemory: 8 };
const SMALL_GPU: Profile = { fallback: false, shaderF16: false, maxBufferSize: 256 * 1024 ** 2, deviceMemory: 4 };

function fakeGpu(profile: Profile): string {
  return `{
  const profile = ${JSON.stringify(profile)};
  const adapter = {
    info: { vendor: 'test-vendor', architecture: 'test', description: 'Test GPU', isFallbackAdapter: profile.fallback },
    isFallbackAdapter: profile.fallback,
    features: new Set(profile.shaderF16 ? ['shader-f16'] : []),
    limits: { maxBufferSize: profile.maxBufferSize, maxStorageBufferBindingSize: profile.maxBufferSize },
    requestDevice: async () => { throw new Error('no device in this test'); },
  };
  Object.defineProperty(navigator, 'gpu', { value: { requestAdapter: async () => adapter, getPreferredCanvasFormat: () => 'bgra8unorm' } });
  Object.defineProperty(navigator, 'deviceMemory', { value: profile.deviceMemory });
}
`;
}

async function openWith(browser: Browser, origin: string, profile: Profile | undefined): Promise<{ context: BrowserContext; page: Page; log: RequestLog }> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const log = watchRequests(context, origin);
  if (profile) {
    await context.route('**/assets/probe.worker-*.js', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: fakeGpu(profile) + (await response.text()) });
    });
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}/`);
  return { context, page, log };
}

describe('first visit', () => {
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

  it('recommends the fitting real model on a laptop GPU, and declining it changes nothing', async () => {
    const { context, page, log } = await openWith(browser, app.origin, LAPTOP);
    await expect.poll(() => page.getByTestId('demo-model-line').textContent()).toMatch(/demo model is tiny: it learnt 23 kinds of short word problem .* in everyday wording it solves almost none/);
    const offer = page.getByTestId('model-recommendation');
    await offer.waitFor({ timeout: 30_000 });
    expect(await offer.getAttribute('data-model')).toBe('qwen2.5-math-1.5b-instruct');
    expect(await offer.textContent()).toMatch(/Qwen2\.5-Math-1\.5B-Instruct .*: 1\.\d+ GiB to download once/);
    expect(await page.getByTestId('recommendation-download').isEnabled()).toBe(true);

    const before = log.all.length;
    await page.getByTestId('recommendation-decline').click();
    await expect.poll(() => offer.count()).toBe(0);
    // Nothing was fetched for it, the demo model stays in use, and nothing was kept.
    expect(log.all.slice(before).filter((url) => /qwen|huggingface/i.test(url))).toEqual([]);
    expect(log.offOrigin).toEqual([]);
    await page.getByTestId('models-box').locator('summary').click();
    await expect.poll(() => page.locator('[data-testid="model-entry"][data-model="demo-mario-tiny"] .badge').textContent()).toBe('in use');
    expect(await page.locator('[data-testid="model-entry"][data-model="qwen2.5-math-1.5b-instruct"]').getByTestId('model-stored').textContent()).toMatch(/Not on this device/);
    // The answer is remembered on this device.
    await page.reload();
    await page.getByTestId('demo-model-line').waitFor();
    await page.waitForTimeout(3_000); // the probe answers within a second here; give it time to (wrongly) show the offer
    expect(await offer.count()).toBe(0);
    await context.close();
  });

  it('recommends nothing where no real model fits (a small GPU, or the software adapter of this machine)', async () => {
    for (const profile of [SMALL_GPU, undefined]) {
      const { context, page } = await openWith(browser, app.origin, profile);
      await page.getByTestId('demo-model-line').waitFor();
      expect(await page.getByTestId('model-recommendation-box').textContent()).toMatch(/demo model/);
      await page.waitForTimeout(3_000);
      expect(await page.getByTestId('model-recommendation').count()).toBe(0);
      await context.close();
    }
  });
});
