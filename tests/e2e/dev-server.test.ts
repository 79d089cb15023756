/** The dev server (`npm run dev`) sends the same isolation and CSP headers, and the app runs under them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { watchPolicyViolations, watchRequests } from '../support/request-monitor.ts';

describe('dev server', () => {
  let server: ViteDevServer;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    server = await createServer({ configFile: 'vite.config.ts', logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    origin = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends COOP, COEP and a CSP that only adds the HMR websocket', async () => {
    const response = await fetch(`${origin}/`);
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(response.headers.get('content-security-policy')).toMatch(/connect-src 'self' [^;]*ws:\/\/localhost:\* ws:\/\/127\.0\.0\.1:\*/);
  });

  it('runs the app under that policy without violations or off-origin requests', async () => {
    const context = await browser.newContext();
    const log = watchRequests(context, origin);
    const page = await context.newPage();
    await watchPolicyViolations(page, log);
    await page.goto(`${origin}/`);
    await page.getByTestId('device-status').getByRole('status').waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(log.blocked).toEqual([]);
    expect(log.offOrigin.filter((url) => !url.startsWith('ws://127.0.0.1'))).toEqual([]);
    await context.close();
  });
});
