/**
 * A browser-test command (`commands.browserMemory()`): the resident memory of the test's Chromium, read from
 * /proc for each of its processes (the browser asks DevTools' SystemInfo.getProcessInfo which they are), and
 * the page's JavaScript heap (DevTools' Performance.getMetrics). Dedicated workers live in their page's
 * renderer process, so the renderer figure includes every interpreter's wasm memory.
 */
import { readFileSync } from 'node:fs';
import type { BrowserCommand } from 'vitest/node';

export interface BrowserMemory {
  /** Resident set size of every process of this browser, MB, and of its renderers alone. */
  rssMb: number;
  rendererRssMb: number;
  /** JavaScript heap in use on the test page's main thread, MB (workers' heaps are not in it). */
  jsHeapMb: number;
  processes: number;
}

function rssKb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0; // ended meanwhile
  }
}

export const browserMemory: BrowserCommand<[]> = async (context): Promise<BrowserMemory> => {
  const ctx = context as unknown as { page: import('playwright-core').Page; context: import('playwright-core').BrowserContext };
  const browser = ctx.context.browser();
  if (!browser) throw new Error('no browser behind this test context');
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
    const page = await ctx.context.newCDPSession(ctx.page);
    try {
      await page.send('Performance.enable');
      const { metrics } = await page.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      const mb = (kb: number) => Math.round(kb / 1024);
      return {
        rssMb: mb(processInfo.reduce((n, p) => n + rssKb(p.id), 0)),
        rendererRssMb: mb(processInfo.filter((p) => p.type === 'renderer').reduce((n, p) => n + rssKb(p.id), 0)),
        jsHeapMb: Math.round(heap / 2 ** 20),
        processes: processInfo.length,
      };
    } finally {
      await page.detach();
    }
  } finally {
    await session.detach();
  }
};
