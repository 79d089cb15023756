/**
 * Records every request a page (and its workers) makes, so a test can fail when
 * anything leaves the app's own origin. CSP-blocked attempts are recorded too,
 * through the page's `securitypolicyviolation` events.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface RequestLog {
  /** Every URL requested, in order. */
  all: string[];
  /** Requests whose origin is not the app's. */
  offOrigin: string[];
  /** Connections the Content-Security-Policy blocked (they never left, but were attempted). */
  blocked: string[];
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:', 'chrome-extension:']);

export function isOffOrigin(url: string, appOrigin: string): boolean {
  const parsed = new URL(url);
  if (LOCAL_SCHEMES.has(parsed.protocol)) return false;
  return parsed.origin !== appOrigin;
}

export function watchRequests(context: BrowserContext, appOrigin: string): RequestLog {
  const log: RequestLog = { all: [], offOrigin: [], blocked: [] };
  context.on('request', (request) => {
    const url = request.url();
    log.all.push(url);
    if (isOffOrigin(url, appOrigin)) log.offOrigin.push(url);
  });
  return log;
}

/** Adds CSP-violation reports of `page` to the log. Call before navigating. */
export async function watchPolicyViolations(page: Page, log: RequestLog): Promise<void> {
  await page.exposeFunction('__reportViolation', (uri: string) => log.blocked.push(uri));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportViolation: (u: string) => void }).__reportViolation(event.blockedURI);
    });
  });
}
