import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';
import type { Connect } from 'vite';
import { headersFile, SANDBOX_WORKER_CSP, SANDBOX_WORKER_PATH, sandboxHeadersBlock, securityHeaders } from './web/security/headers.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Hosts the model registry downloads from, besides the app's own origin. */
const MODEL_HOSTS: string[] = [];

/** Writes the `_headers` file static hosts read (Netlify, Cloudflare Pages). */
function staticHostHeaders(): Plugin {
  return {
    name: 'math-tutor:static-host-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: `${headersFile({ connectHosts: MODEL_HOSTS })}\n${sandboxHeadersBlock()}` });
    },
  };
}

/**
 * Offline install: Workbox precaches the app shell, the Python runtime with sympy and
 * ONNX Runtime's wasm. Model files are not precached: the model cache keeps them.
 * A new version waits for the user's "Reload" (registerType 'prompt'), so old and new
 * files never mix in one page.
 */
const pwa = VitePWA({
  registerType: 'prompt',
  injectRegister: false,
  manifest: {
    name: 'Math Tutor',
    short_name: 'Math Tutor',
    description: 'Solves math problems step by step on your own device, offline.',
    start_url: '.',
    scope: '.',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0b5fad',
    icons: [
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{js,mjs,css,html,svg,png,woff2,wasm,zip,json}'],
    globIgnores: ['models/**', '_headers'],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/models\//],
    cleanupOutdatedCaches: true,
  },
});

/** Gives the Python sandbox worker's script its own strict policy on the dev and preview servers. */
function sandboxWorkerPolicy(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url && SANDBOX_WORKER_PATH.test(req.url)) {
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name: string, value: number | string | readonly string[]) =>
        setHeader(name, name.toLowerCase() === 'content-security-policy' ? SANDBOX_WORKER_CSP : value);
      res.setHeader('Content-Security-Policy', SANDBOX_WORKER_CSP);
    }
    next();
  };
  return {
    name: 'math-tutor:sandbox-worker-policy',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  plugins: [svelte({ configFile: here('./svelte.config.js') }), staticHostHeaders(), sandboxWorkerPolicy(), pwa],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
  },
  worker: {
    format: 'es',
  },
  optimizeDeps: {
    exclude: ['@huggingface/transformers', 'onnxruntime-web', 'pyodide'],
    // Pre-bundled up front so the first import in a test does not reload the page.
    include: ['comlink', 'idb', 'katex'],
  },
  server: {
    headers: securityHeaders({ connectHosts: MODEL_HOSTS, dev: true }),
    fs: { allow: [here('.')] },
  },
  preview: {
    headers: securityHeaders({ connectHosts: MODEL_HOSTS }),
  },
});
