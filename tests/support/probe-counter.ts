/**
 * A loopback endpoint on the browser-test server that counts requests, so a test can
 * prove that sandboxed code never reached the network: code aims at
 * `/__probe/<anything>`, the test reads `/__probe-count`.
 */
import type { Plugin } from 'vite';

export function probeCounter(): Plugin {
  let hits = 0;
  const seen: string[] = [];
  return {
    name: 'math-tutor:test-probe-counter',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url === '/__probe-count') {
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Cache-Control', 'no-store');
          res.end(JSON.stringify({ hits, seen }));
          return;
        }
        if (req.url?.startsWith('/__probe/')) {
          hits += 1;
          seen.push(req.url);
          res.setHeader('Access-Control-Allow-Origin', '*');
          res.end('reached');
          return;
        }
        next();
      });
    },
  };
}
