/**
 * Pages of other origins for the embedding tests: plain loopback servers with no isolation
 * headers (not cross-origin isolated). Reached as http://localhost:<port> they are another
 * site than the tutor at http://127.0.0.1:<port> (the browser treats the frame as third
 * party); as http://127.0.0.1:<port> they are another origin of the same site.
 */
import { serveHandler, type Running } from './servers.ts';

export interface HostSite extends Running {
  /** Serves `html` at `path` (replaces any page there). */
  page: (path: string, html: string) => void;
}

export async function serveHostSite(hostname: 'localhost' | '127.0.0.1' = 'localhost'): Promise<HostSite> {
  const pages = new Map<string, string>();
  const running = await serveHandler((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0]!);
    if (html === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  return {
    origin: running.origin.replace('127.0.0.1', hostname),
    close: running.close,
    page: (path, html) => void pages.set(path, html),
  };
}

/**
 * A course page embedding the tutor's iframe: it records every event the tutor sends
 * (`window.tutorEvents`), sizes the frame from `height` events and offers
 * `window.sendToTutor(message)`.
 */
export function iframeHostPage(embedUrl: string, options: { extraBody?: string } = {}): string {
  const tutorOrigin = new URL(embedUrl).origin;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course page</title></head>
<body>
  <h1>Week 3: percentages</h1>
  <iframe id="tutor" name="tutor" title="Math tutor" src="${embedUrl}" allow="cross-origin-isolated" style="width:100%;height:200px;border:0"></iframe>
  ${options.extraBody ?? ''}
  <script>
    const frame = document.getElementById('tutor');
    window.tutorEvents = [];
    addEventListener('message', (event) => {
      if (event.source !== frame.contentWindow) return;
      window.tutorEvents.push({ origin: event.origin, data: event.data });
      if (event.data && event.data.type === 'height') frame.style.height = event.data.height + 'px';
    });
    window.sendToTutor = (message) => frame.contentWindow.postMessage(message, ${JSON.stringify(tutorOrigin)});
  </script>
</body></html>`;
}

/** What a host page made by `iframeHostPage` exposes to the test. */
export interface HostWindow {
  tutorEvents: Array<{ origin: string; data: { type: string; [key: string]: unknown } }>;
  sendToTutor: (message: unknown) => void;
}
