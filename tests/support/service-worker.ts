/** Waiting on the app's service worker and its caches from a test. */
import type { Page } from 'playwright-core';

/** Resolves once a service worker is active for the page's scope; returns its script URL. */
export async function activeServiceWorker(page: Page, timeoutMs = 120_000): Promise<string> {
  return page.evaluate(
    (ms) =>
      Promise.race([
        navigator.serviceWorker.ready.then((r) => r.active?.scriptURL ?? ''),
        new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no active service worker')), ms)),
      ]),
    timeoutMs,
  );
}

/** Whether a service worker controls the page (it does from the first load after it activated). */
export function isControlled(page: Page): Promise<boolean> {
  return page.evaluate(() => navigator.serviceWorker.controller !== null);
}

/** Paths held by a Cache Storage cache of the page's origin. */
export function cachedPaths(page: Page, cacheName: string): Promise<string[]> {
  return page.evaluate(async (name) => {
    if (!(await caches.has(name))) return [];
    const cache = await caches.open(name);
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
  }, cacheName);
}

/** Bytes the precache holds (sum of the cached bodies). */
export function precacheBytes(page: Page): Promise<{ entries: number; bytes: number }> {
  return page.evaluate(async () => {
    const name = (await caches.keys()).find((key) => key.startsWith('workbox-precache'));
    if (!name) return { entries: 0, bytes: 0 };
    const cache = await caches.open(name);
    let bytes = 0;
    const keys = await cache.keys();
    for (const key of keys) bytes += (await (await cache.match(key))!.arrayBuffer()).byteLength;
    return { entries: keys.length, bytes };
  });
}
