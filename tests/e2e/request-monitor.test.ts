/**
 * The off-origin guard used by the end-to-end tests must itself be able to fail:
 * a page that reaches another origin (a second loopback server) is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveHandler, type Running } from '../support/servers.ts';
import { isOffOrigin, watchRequests } from '../support/request-monitor.ts';

describe('request monitor', () => {
  let outside: Running;
  let app: Running;
  let browser: Browser;
  let outsideHits = 0;

  beforeAll(async () => {
    outside = await serveHandler((_req, res) => {
      outsideHits += 1;
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' });
      res.end('outside');
    });
    app = await serveHandler((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>leaky</title><script>fetch(${JSON.stringify(outside.origin + '/beacon')})</script>`);
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await outside?.close();
  });

  it('classifies origins', () => {
    expect(isOffOrigin('http://127.0.0.1:5000/a.js', 'http://127.0.0.1:5000')).toBe(false);
    expect(isOffOrigin('http://127.0.0.1:5001/a.js', 'http://127.0.0.1:5000')).toBe(true);
    expect(isOffOrigin('https://cdn.example.org/x.wasm', 'http://127.0.0.1:5000')).toBe(true);
    expect(isOffOrigin('data:text/plain,hi', 'http://127.0.0.1:5000')).toBe(false);
    expect(isOffOrigin('blob:http://127.0.0.1:5000/uuid', 'http://127.0.0.1:5000')).toBe(false);
  });

  it('catches a page that fetches from another origin', async () => {
    const context = await browser.newContext();
    const log = watchRequests(context, app.origin);
    const page = await context.newPage();
    await page.goto(`${app.origin}/`);
    await page.waitForLoadState('networkidle');
    expect(log.offOrigin).toEqual([`${outside.origin}/beacon`]);
    expect(outsideHits).toBe(1);
    await context.close();
  });
});
