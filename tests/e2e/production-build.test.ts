/**
 * The production bundle, served with its production headers, opened in real
 * Chromium: it renders, is cross-origin isolated, and makes no request off its origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { launchChromium } from '../support/browser.ts';
import { modelHosts, parseRegistry } from '../../workers/model/registry.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { watchPolicyViolations, watchRequests } from '../support/request-monitor.ts';

describe('production build', () => {
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

  it('sends the isolation and content-security headers', async () => {
    const response = await fetch(`${app.origin}/`);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const csp = response.headers.get('content-security-policy') ?? '';
    // Exactly the origin and the model hosts of the registry (with the hub's CDNs).
    const hosts = modelHosts(parseRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8'))));
    expect(csp).toMatch(new RegExp(`connect-src ${["'self'", ...hosts].join(' ').replaceAll('.', '\\.')}(;|$)`));
    expect(hosts).toContain('https://huggingface.co');
    expect(csp).not.toContain('*');
  });

  it('renders, is cross-origin isolated, and keeps every request on its origin', async () => {
    const context = await browser.newContext();
    const log = watchRequests(context, app.origin);
    const page = await context.newPage();
    await watchPolicyViolations(page, log);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${app.origin}/`);
    await page.getByRole('heading', { name: 'Math Tutor' }).waitFor();
    // Headless Chromium's only WebGPU adapter is SwiftShader, a software one: the page says so.
    await page.getByTestId('no-webgpu').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    expect(log.all.length).toBeGreaterThan(0);
    expect(log.offOrigin).toEqual([]);
    expect(log.blocked).toEqual([]);
    await context.close();
  });

  it('shows a clear notice, not a blank page, when the browser has no WebGPU', async () => {
    const plain = await launchChromium({ webgpu: false });
    try {
      const page = await plain.newPage();
      await page.goto(`${app.origin}/`);
      const notice = page.getByTestId('no-webgpu');
      await notice.waitFor({ timeout: 60_000 });
      expect(await notice.textContent()).toMatch(/No WebGPU here/);
    } finally {
      await plain.close();
    }
  });

  it('writes a headers file for static hosts', async () => {
    const response = await fetch(`${app.origin}/_headers`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(text).toContain("connect-src 'self'");
  });
});
