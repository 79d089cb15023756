/**
 * The built app on a loopback server the test controls: every request is counted (so a
 * test can prove that nothing reached the network while offline), and a test may replace
 * the service worker script to publish a "new version" without rebuilding.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { preview, type Plugin, type PreviewServer } from 'vite';
import { readFileSync } from 'node:fs';

export interface BuildServer {
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Serve `dist/sw.js` with `suffix` appended (a byte-different worker: the browser installs it as an update). */
  publishServiceWorker: (suffix: string) => void;
  close: () => Promise<void>;
}

export async function serveCountedBuild(): Promise<BuildServer> {
  const requests: string[] = [];
  let swSuffix: string | undefined;
  const counter: Plugin = {
    name: 'test:count-and-publish',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        requests.push(req.url ?? '');
        if (swSuffix !== undefined && req.url?.split('?')[0] === '/sw.js') {
          res.setHeader('Content-Type', 'text/javascript');
          res.setHeader('Cache-Control', 'no-cache');
          res.end(`${readFileSync('dist/sw.js', 'utf8')}\n${swSuffix}\n`);
          return;
        }
        next();
      });
    },
  };
  const server: PreviewServer = await preview({
    configFile: 'vite.config.ts',
    logLevel: 'warn',
    plugins: [counter],
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    publishServiceWorker: (suffix) => void (swSuffix = suffix),
    close: () =>
      new Promise((resolve) => {
        (server.httpServer as Server).closeAllConnections();
        server.httpServer.close(() => resolve());
      }),
  };
}
