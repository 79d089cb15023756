/** The example course page (examples/course-page.html), served from another site, wires up both embeds. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { serveHostSite, type HostSite } from '../support/host-pages.ts';

describe('example course page', () => {
  let tutor: Running;
  let host: HostSite;
  let browser: Browser;

  beforeAll(async () => {
    tutor = await serveBuild();
    host = await serveHostSite();
    host.page('/course-page.html', readFileSync('examples/course-page.html', 'utf8'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([tutor?.close(), host?.close()]);
  });

  it('shows the iframe and the element, and hears ready from both', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${host.origin}/course-page.html?tutor=${encodeURIComponent(tutor.origin)}`);
    const events = () => page.evaluate(() => {
      const w = window as unknown as { iframeEvents?: string[]; elementEvents?: string[] };
      return { iframe: w.iframeEvents ?? [], element: w.elementEvents ?? [] };
    });
    await expect.poll(events, { timeout: 60_000 }).toEqual({ iframe: expect.arrayContaining(['ready']), element: expect.arrayContaining(['ready']) });
    expect(await page.locator('#log').textContent()).toContain('element ready');
    // The iframe is sized from the tutor's height events.
    await expect.poll(async () => (await page.locator('#tutor-frame').boundingBox())!.height).not.toBe(320);
    await page.close();
  }, 90_000);
});
