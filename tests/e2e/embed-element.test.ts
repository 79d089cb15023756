/**
 * The `<math-tutor>` element on a page of another site, loaded by one script tag from the
 * tutor's origin: it renders in a shadow root that hostile host CSS does not reach, its own
 * CSS stays inside, and it solves a problem with the demo model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { serveHostSite, type HostSite } from '../support/host-pages.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';
import { DEMO_PROBLEM as PROBLEM, DEMO_ANSWER as ANSWER } from '../support/demo-problem.ts';

interface ElementHostWindow {
  tutorEvents: Array<{ type: string; detail: Record<string, unknown> }>;
}

function elementHostPage(tutorOrigin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course page with the element</title>
<style>
  /* A careless host stylesheet: hides and recolours everything in the body. */
  body * { color: red !important; display: none !important; font-size: 40px !important; }
  body > p.host-text, body > iframe.host-frame { display: block !important; }
</style>
<script src="${tutorOrigin}/embed/math-tutor.js"></script>
</head><body>
  <p class="host-text">Try the tutor:</p>
  <math-tutor id="tutor" problem="${PROBLEM.replaceAll('$', '&#36;')}" samples="4" compact theme="dark"></math-tutor>
  <iframe class="host-frame" title="the host's own frame" srcdoc="&lt;p&gt;host&lt;/p&gt;"></iframe>
  <script>
    window.tutorEvents = [];
    const tutor = document.getElementById('tutor');
    for (const type of ['ready', 'progress', 'solved', 'answer-checked', 'error', 'height']) {
      tutor.addEventListener(type, (event) => window.tutorEvents.push({ type, detail: event.detail }));
    }
  </script>
</body></html>`;
}

const eventsOf = (page: Page, type: string) =>
  page.evaluate((t) => (window as unknown as ElementHostWindow).tutorEvents.filter((e) => e.type === t), type);

describe('<math-tutor> element on another site', () => {
  let tutor: Running;
  let host: HostSite;
  let browser: Browser;
  let page: Page;
  let frame: Frame;
  let log: RequestLog;

  beforeAll(async () => {
    tutor = await serveBuild();
    host = await serveHostSite();
    host.page('/course.html', elementHostPage(tutor.origin));
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    log = watchRequests(context, tutor.origin);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${host.origin}/course.html`);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([tutor?.close(), host?.close()]);
  });

  it('renders in a shadow root and becomes ready', async () => {
    const shadow = await page.evaluate(() => {
      const el = document.getElementById('tutor')!;
      const root = el.shadowRoot;
      return { defined: customElements.get('math-tutor') !== undefined, shadow: root !== null, frames: root?.querySelectorAll('iframe').length ?? 0 };
    });
    expect(shadow).toEqual({ defined: true, shadow: true, frames: 1 });
    await expect.poll(async () => (await eventsOf(page, 'ready')).length, { timeout: 60_000 }).toBe(1);
    expect((await eventsOf(page, 'ready'))[0]!.detail).toMatchObject({ crossOriginIsolated: false });
    frame = page.frames().find((f) => f.url().startsWith(`${tutor.origin}/embed.html`))!;
    expect(new URL(frame.url()).searchParams.get('origins')).toBe(host.origin);
    expect(await frame.getByTestId('problem-input').inputValue()).toBe(PROBLEM);
  });

  it('is not broken by the host stylesheet, and its own styles stay inside', async () => {
    const outside = await page.evaluate(() => {
      const el = document.getElementById('tutor')!;
      const inner = el.shadowRoot!.querySelector('iframe')!;
      const hostFrame = document.querySelector('iframe.host-frame')!;
      const rect = el.getBoundingClientRect();
      return {
        element: getComputedStyle(el).display,
        width: Math.round(rect.width),
        height: Math.round(rect.height),
        frameDisplay: getComputedStyle(inner).display,
        frameBorder: getComputedStyle(inner).borderTopColor,
        hostText: getComputedStyle(document.querySelector('p.host-text')!).color,
        hostFrameBorder: getComputedStyle(hostFrame).borderTopWidth,
        hostFrameHeight: getComputedStyle(hostFrame).height,
      };
    });
    expect(outside.element).toBe('block');
    expect(outside.width).toBeGreaterThan(300);
    expect(outside.height).toBeGreaterThan(100);
    expect(outside.frameDisplay).toBe('block');
    expect(outside.frameBorder).not.toBe('rgb(255, 0, 0)');
    // The host's rules still apply to its own elements, and the element's iframe rules do not.
    expect(outside.hostText).toBe('rgb(255, 0, 0)');
    expect(outside.hostFrameBorder).toBe('2px');
    expect(outside.hostFrameHeight).toBe('150px');

    const inside = await frame.evaluate(() => {
      const label = document.getElementById('problem-label')!;
      const style = getComputedStyle(label);
      return { theme: document.documentElement.dataset.theme, color: style.color, display: style.display, fontSize: style.fontSize };
    });
    expect(inside).toMatchObject({ theme: 'dark', color: 'rgb(236, 236, 236)' });
    expect(inside.display).not.toBe('none');
    expect(inside.fontSize).not.toBe('40px');
  });

  it('solves its problem with the demo model and grows to fit the answer', async () => {
    const started = Date.now();
    await page.evaluate(() => (document.getElementById('tutor') as HTMLElement & { solve(): void }).solve());
    await expect.poll(async () => (await eventsOf(page, 'solved')).length, { timeout: 150_000, interval: 500 }).toBe(1);
    console.log(`element solve, 4 samples: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect((await eventsOf(page, 'solved'))[0]!.detail).toMatchObject({ answer: ANSWER, samples: 4 });
    expect((await eventsOf(page, 'progress')).length).toBeGreaterThan(0);
    await frame.getByTestId('answer-view').waitFor();
    const content = await frame.evaluate(() => Math.ceil(document.querySelector('[data-testid="embed-root"]')!.getBoundingClientRect().height));
    await expect
      .poll(() => page.evaluate(() => document.getElementById('tutor')!.shadowRoot!.querySelector('iframe')!.getBoundingClientRect().height))
      .toBe(content + 2);
  }, 180_000);

  it('passes a changed problem attribute to the tutor', async () => {
    await page.evaluate(() => document.getElementById('tutor')!.setAttribute('problem', 'What is 2 + 3?'));
    await expect.poll(() => frame.getByTestId('problem-input').inputValue()).toBe('What is 2 + 3?');
  });

  it('made requests only to the tutor and the host', () => {
    const outside = log.all.filter((url) => /^https?:/.test(url) && ![tutor.origin, host.origin].includes(new URL(url).origin));
    expect(outside).toEqual([]);
  });
});
