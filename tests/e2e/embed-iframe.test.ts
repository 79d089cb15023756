/**
 * The iframe embed: a course page on another site (http://localhost:<port>, not
 * cross-origin isolated) frames /embed.html of the tutor (http://127.0.0.1:<port>) and
 * drives it through the documented postMessage API (web/embed/protocol.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveBuild, type Running } from '../support/servers.ts';
import { iframeHostPage, serveHostSite, type HostSite, type HostWindow } from '../support/host-pages.ts';
import { watchRequests, type RequestLog } from '../support/request-monitor.ts';
import { DEMO_PROBLEM as PROBLEM, DEMO_ANSWER as ANSWER } from '../support/demo-problem.ts';

type TutorMessage = HostWindow['tutorEvents'][number];

const events = (page: Page): Promise<TutorMessage[]> => page.evaluate(() => (window as unknown as HostWindow).tutorEvents);
const send = (page: Page, message: unknown) => page.evaluate((m) => (window as unknown as HostWindow).sendToTutor(m), message);
const ofType = (list: TutorMessage[], type: string) => list.filter((e) => e.data.type === type);

/** What the host page gets when it reaches into the tutor frame's storage, and which databases it has itself. */
function hostReadsOfTutorStorage(page: Page) {
  return page.evaluate(async () => {
    const other = (document.getElementById('tutor') as HTMLIFrameElement).contentWindow!;
    const attempt = (read: () => unknown) => {
      try {
        read();
        return 'read';
      } catch (error) {
        return (error as DOMException).name;
      }
    };
    return {
      indexedDB: attempt(() => (other as unknown as { indexedDB: IDBFactory }).indexedDB.databases()),
      localStorage: attempt(() => (other as unknown as { localStorage: Storage }).localStorage.length),
      document: attempt(() => other.document.body.innerHTML),
      ownDatabases: (await indexedDB.databases()).map((d) => d.name),
    };
  });
}

/** Run inside the tutor frame: which storage its origin may use there. */
async function storageAccess(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const attempt = async (name: string, use: () => unknown) => {
    try {
      await use();
      out[name] = 'ok';
    } catch (error) {
      out[name] = (error as DOMException).name;
    }
  };
  await attempt('indexedDB', () => new Promise((resolve, reject) => {
    const open = indexedDB.open('storage-probe');
    open.onsuccess = () => resolve(open.result.close());
    open.onerror = () => reject(open.error);
  }));
  await attempt('localStorage', () => localStorage.length);
  await attempt('caches', () => caches.keys());
  return out;
}

/** Run inside the tutor frame: problems in its history. */
async function historyCount(): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('math-tutor');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains('history')) return 0;
    return await new Promise<number>((resolve) => {
      const request = db.transaction('history').objectStore('history').count();
      request.onsuccess = () => resolve(request.result);
    });
  } finally {
    db.close();
  }
}

async function waitForEvent(page: Page, type: string, after = 0, timeout = 60_000): Promise<TutorMessage> {
  await expect.poll(async () => ofType((await events(page)).slice(after), type).length, { timeout, interval: 250 }).toBeGreaterThan(0);
  return ofType((await events(page)).slice(after), type)[0]!;
}

describe('iframe embed on another site', () => {
  let tutor: Running;
  let host: HostSite;
  let rogue: HostSite;
  let sameSite: HostSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let frame: Frame;
  let log: RequestLog;

  beforeAll(async () => {
    tutor = await serveBuild();
    host = await serveHostSite();
    rogue = await serveHostSite();
    sameSite = await serveHostSite('127.0.0.1');
    sameSite.page('/course.html', iframeHostPage(`${tutor.origin}/embed.html?origins=${encodeURIComponent(sameSite.origin)}&samples=1`));
    const embedUrl = `${tutor.origin}/embed.html?origins=${encodeURIComponent(host.origin)}&samples=4&compact=1`;
    host.page('/course.html', iframeHostPage(embedUrl, { extraBody: `<iframe name="ad" title="ad" src="${rogue.origin}/ad.html" style="height:40px"></iframe>` }));
    host.page('/not-listed.html', iframeHostPage(`${tutor.origin}/embed.html?origins=${encodeURIComponent(rogue.origin)}&samples=1`));
    host.page('/frames-app.html', `<!doctype html><title>framing the app</title><iframe name="app" src="${tutor.origin}/"></iframe>`);
    rogue.page('/ad.html', '<!doctype html><title>ad</title><p>An advertisement</p>');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    log = watchRequests(context, tutor.origin);
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([tutor?.close(), host?.close(), rogue?.close(), sameSite?.close()]);
  });

  it('lets other sites frame the embed page and load the element, but not the app', async () => {
    const embed = await fetch(`${tutor.origin}/embed.html`);
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(embed.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const element = await fetch(`${tutor.origin}/embed/math-tutor.js`);
    expect(element.status).toBe(200);
    expect(element.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const app = await fetch(`${tutor.origin}/`);
    expect(app.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(app.headers.get('cross-origin-resource-policy')).toBe('same-origin');

    const other = await context.newPage();
    const refusals: string[] = [];
    other.on('console', (m) => m.text().includes('frame-ancestors') && refusals.push(m.text()));
    await other.goto(`${host.origin}/frames-app.html`);
    await expect.poll(() => refusals.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => other.frames().find((f) => f.name() === 'app')?.url(), { timeout: 15_000 }).toMatch(/^chrome-error:/);
    await other.close();
  });

  it('sends ready, then progress and solved with the right answer when the host sets a problem and solves', async () => {
    await page.goto(`${host.origin}/course.html`);
    const ready = await waitForEvent(page, 'ready', 0, 60_000);
    expect(ready.origin).toBe(tutor.origin);
    expect(ready.data).toMatchObject({ version: 1, crossOriginIsolated: false, problem: '' });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    frame = page.frame({ name: 'tutor' })!;
    expect(await frame.evaluate(() => crossOriginIsolated)).toBe(false);

    await send(page, { type: 'set-problem', problem: PROBLEM });
    await expect.poll(() => frame.getByTestId('problem-input').inputValue()).toBe(PROBLEM);
    const before = (await events(page)).length;
    const started = Date.now();
    await send(page, { type: 'solve' });
    // Ends at "solved" or at an "error" (whose message the failure then shows).
    await expect.poll(async () => (await events(page)).slice(before).some((e) => e.data.type === 'solved' || e.data.type === 'error'), { timeout: 150_000, interval: 250 }).toBe(true);
    expect(ofType((await events(page)).slice(before), 'error').map((e) => e.data)).toEqual([]);
    const solved = await waitForEvent(page, 'solved', before);
    console.log(`embedded (not isolated) solve, 4 samples: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(solved.data).toMatchObject({ type: 'solved', problem: PROBLEM, answer: ANSWER, samples: 4 });
    const clusters = solved.data.clusters as Array<{ answer: string; count: number }>;
    expect(clusters[0]).toMatchObject({ answer: ANSWER });
    // The 4 sampled solutions and the greedy one (the demo package's selection reads it).
    expect(clusters.reduce((n, c) => n + c.count, 0)).toBeLessThanOrEqual(5);
    const progress = ofType((await events(page)).slice(before), 'progress').map((e) => e.data);
    expect(progress.length).toBeGreaterThan(0);
    // 4 sampled solutions and the greedy one that the demo package's default selection (greedy) reads.
    expect(progress.at(-1)).toMatchObject({ samplesTotal: 5 });
    await frame.getByTestId('answer-view').waitFor();
  }, 240_000);

  it('reports its height as the content grows, and the host sizes the frame with it', async () => {
    const lastHeight = async () => ofType(await events(page), 'height').map((e) => e.data.height as number).at(-1);
    const contentHeight = () => frame.evaluate(() => Math.ceil(document.querySelector('[data-testid="embed-root"]')!.getBoundingClientRect().height));
    // The answer view has rendered: the last reported height is the content's, and the frame has it.
    await expect.poll(async () => (await lastHeight()) === (await contentHeight()), { timeout: 10_000 }).toBe(true);
    const heights = ofType(await events(page), 'height').map((e) => e.data.height as number);
    expect(heights.length).toBeGreaterThan(1);
    expect(heights.at(-1)).toBeGreaterThan(heights[0]!);
    const box = await page.locator('#tutor').boundingBox();
    expect(Math.round(box!.height)).toBe(heights.at(-1));
  });

  it('tells the host when the student checks an answer', async () => {
    const before = (await events(page)).length;
    await frame.getByTestId('student-answer').fill(`${ANSWER}.0`);
    await frame.getByTestId('student-answer').press('Enter');
    const checked = await waitForEvent(page, 'answer-checked', before);
    expect(checked.data).toMatchObject({ answer: `${ANSWER}.0`, correct: true });
  });

  it('answers malformed and oversized messages with an error event', async () => {
    const cases: Array<[unknown, string]> = [
      ['solve', 'malformed'],
      [null, 'malformed'],
      [[{ type: 'solve' }], 'malformed'],
      [{ kind: 'solve' }, 'malformed'],
      [{ type: 'launch' }, 'unknown-type'],
      [{ type: 'solve', now: true }, 'malformed'],
      [{ type: 'set-problem', problem: 42 }, 'malformed'],
      [{ type: 'set-problem', problem: 'x'.repeat(4_001) }, 'too-large'],
      [{ type: 'set-problem', problem: 'ok', padding: 'x'.repeat(100_000) }, 'too-large'],
      ['x'.repeat(1_000_000), 'too-large'],
    ];
    for (const [message, code] of cases) {
      const before = (await events(page)).length;
      await send(page, message);
      const error = await waitForEvent(page, 'error', before, 10_000);
      expect(error.data, JSON.stringify(message).slice(0, 80)).toMatchObject({ type: 'error', code });
      expect(typeof error.data.message).toBe('string');
    }
    // None of them changed the problem.
    expect(await frame.getByTestId('problem-input').inputValue()).toBe(PROBLEM);
  });

  it('refuses a second solve while one runs, stops on reset, and refuses to solve an empty problem', async () => {
    let before = (await events(page)).length;
    await send(page, { type: 'solve' });
    await waitForEvent(page, 'progress', before, 30_000);
    await send(page, { type: 'solve' });
    expect((await waitForEvent(page, 'error', before, 10_000)).data).toMatchObject({ code: 'busy' });
    await send(page, { type: 'reset' });
    await expect.poll(() => frame.getByTestId('problem-input').inputValue()).toBe('');
    await frame.getByTestId('solve').waitFor();
    before = (await events(page)).length;
    await send(page, { type: 'solve' });
    expect((await waitForEvent(page, 'error', before, 10_000)).data).toMatchObject({ code: 'invalid-problem' });
  }, 60_000);

  it('ignores messages from a frame of another origin on the same page', async () => {
    await send(page, { type: 'set-problem', problem: 'What is 2 + 3?' });
    await expect.poll(() => frame.getByTestId('problem-input').inputValue()).toBe('What is 2 + 3?');
    const before = (await events(page)).length;
    const ad = page.frame({ name: 'ad' })!;
    expect(new URL(ad.url()).origin).toBe(rogue.origin);
    await ad.evaluate(() => {
      const tutorWindow = parent.frames['tutor' as unknown as number]!;
      tutorWindow.postMessage({ type: 'set-problem', problem: 'What is 6 * 7?' }, '*');
      tutorWindow.postMessage({ type: 'solve' }, '*');
      tutorWindow.postMessage('malformed', '*');
    });
    await page.waitForTimeout(2_000);
    expect(await frame.getByTestId('problem-input').inputValue()).toBe('What is 2 + 3?');
    expect((await events(page)).slice(before).filter((e) => e.data.type !== 'height')).toEqual([]);
    expect(await frame.getByTestId('embed-progress').count()).toBe(0);
  });

  it('keeps its storage out of reach of the host page', async () => {
    expect(await hostReadsOfTutorStorage(page)).toEqual({ indexedDB: 'SecurityError', localStorage: 'SecurityError', document: 'SecurityError', ownDatabases: [] });
    // For the record: what this browser lets a third-party tutor frame store (it solved without any of it).
    console.log('third-party tutor frame storage:', await frame.evaluate(storageAccess));
  });

  it('keeps the data it stored out of reach of a same-site host of another origin', async () => {
    const neighbour = await context.newPage();
    await neighbour.goto(`${sameSite.origin}/course.html`);
    await waitForEvent(neighbour, 'ready', 0, 60_000);
    const tutorFrame = neighbour.frame({ name: 'tutor' })!;
    expect(await tutorFrame.evaluate(storageAccess)).toMatchObject({ indexedDB: 'ok' });
    await neighbour.evaluate(() => (window as unknown as HostWindow).sendToTutor({ type: 'set-problem', problem: 'What is 2 + 3?' }));
    await neighbour.evaluate(() => (window as unknown as HostWindow).sendToTutor({ type: 'solve' }));
    await waitForEvent(neighbour, 'solved', 0, 120_000);
    // The tutor frame keeps the problem in its own IndexedDB (written just after "solved").
    await expect.poll(() => tutorFrame.evaluate(historyCount), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await hostReadsOfTutorStorage(neighbour)).toEqual({ indexedDB: 'SecurityError', localStorage: 'SecurityError', document: 'SecurityError', ownDatabases: [] });
    await neighbour.close();
  }, 180_000);

  it('neither talks to nor listens to a host that is not on its list', async () => {
    const other = await context.newPage();
    await other.goto(`${host.origin}/not-listed.html`);
    const otherFrame = other.frame({ name: 'tutor' })!;
    await otherFrame.getByTestId('embed-root').waitFor({ timeout: 60_000 });
    await other.evaluate(() => (window as unknown as HostWindow).sendToTutor({ type: 'set-problem', problem: 'What is 6 * 7?' }));
    await other.waitForTimeout(2_000);
    expect(await otherFrame.getByTestId('problem-input').inputValue()).toBe('');
    expect(await events(other)).toEqual([]);
    await other.close();
  });

  it('made requests only to the loopback servers of this test', () => {
    const allowed = new Set([tutor.origin, host.origin, rogue.origin, sameSite.origin]);
    const outside = log.all.filter((url) => /^https?:/.test(url) && !allowed.has(new URL(url).origin));
    expect(outside).toEqual([]);
    expect(log.all.some((url) => url.startsWith(`${tutor.origin}/models/`))).toBe(true);
  });
});
