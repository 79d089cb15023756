import { build, defineConfig, type Plugin, type Rolldown } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';
import type { Connect } from 'vite';
import {
  EMBED_PATH, embedHeaders, embedHeadersBlock, headersFile, SANDBOX_WORKER_CSP, SANDBOX_WORKER_PATH, sandboxHeadersBlock, securityHeaders,
} from './web/security/headers.ts';
import { parseOrigins } from './web/embed/protocol.ts';
import { modelHosts, parseRegistry } from './workers/model/registry.ts';
import registryJson from './models/registry.json' with { type: 'json' };

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Hosts the model registry downloads from (and where they redirect), besides the app's own origin: exactly those of models/registry.json. */
const MODEL_HOSTS: string[] = modelHosts(parseRegistry(registryJson));

/** Sites allowed to embed the tutor, fixed at build time (`VITE_EMBED_ORIGINS=https://a.example,https://b.example`); none: any site. */
const EMBED_ORIGINS = parseOrigins(process.env.VITE_EMBED_ORIGINS);

/** Writes the `_headers` file static hosts read (Netlify, Cloudflare Pages). */
function staticHostHeaders(): Plugin {
  return {
    name: 'math-tutor:static-host-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: `${headersFile({ connectHosts: MODEL_HOSTS })}\n${sandboxHeadersBlock()}\n${embedHeadersBlock({ connectHosts: MODEL_HOSTS, embedOrigins: EMBED_ORIGINS })}` });
    },
  };
}

/** Cache Storage name of the model cache (the service worker's runtime cache for /models/). */
export const MODEL_CACHE = 'math-tutor-models';

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
    // Not precached: model packages (the model cache below keeps them), the embed page and
    // element (they run in other sites' pages, where this worker does not control them), and
    // the ONNX Runtime build the app never loads (it uses the JSEP build; ort-web.ts).
    globIgnores: ['models/**', '_headers', 'embed.html', 'embed/**', 'assets/ort-wasm-simd-threaded.asyncify-*'],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/models\//, /^\/embed(\.html|\/)/],
    cleanupOutdatedCaches: true,
    runtimeCaching: [
      {
        // The model cache: package files (manifest, tokenizer, graph) as the app loads them,
        // kept for offline use. Network first, so a republished package is never mixed with
        // cached files of the old one while online; offline, the cached copy answers.
        urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/models/'),
        handler: 'NetworkFirst',
        options: {
          cacheName: MODEL_CACHE,
          cacheableResponse: { statuses: [200] },
        },
      },
    ],
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

/** Gives the embed page and the element's script the headers that let other sites frame and load them. */
function embedPolicy(): Plugin {
  const headers = embedHeaders({ connectHosts: MODEL_HOSTS, embedOrigins: EMBED_ORIGINS });
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (req.url && EMBED_PATH.test(req.url)) {
      const extra: Record<string, string> = req.url.startsWith('/embed/') ? { ...headers, 'Access-Control-Allow-Origin': '*' } : headers;
      const override = new Map(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v]));
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name: string, value: number | string | readonly string[]) => setHeader(name, override.get(name.toLowerCase()) ?? value);
      for (const [name, value] of Object.entries(extra)) setHeader(name, value);
    }
    next();
  };
  return {
    name: 'math-tutor:embed-policy',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

/**
 * Builds the `<math-tutor>` element (web/embed/element.ts) as one classic script with a
 * stable name, `embed/math-tutor.js`, so a host page loads it with a plain script tag.
 */
function embedElementScript(): Plugin {
  return {
    name: 'math-tutor:embed-element',
    apply: 'build',
    async generateBundle() {
      const result = await build({
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        build: {
          write: false,
          minify: true,
          target: 'es2022',
          lib: { entry: here('./web/embed/element.ts'), formats: ['iife'], name: 'MathTutorElement', fileName: () => 'math-tutor.js' },
        },
      });
      const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
      const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
      if (!chunk || chunk.type !== 'chunk') throw new Error('The <math-tutor> element did not build.');
      this.emitFile({ type: 'asset', fileName: 'embed/math-tutor.js', source: chunk.code });
    },
  };
}

export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  plugins: [svelte({ configFile: here('./svelte.config.js') }), staticHostHeaders(), sandboxWorkerPolicy(), embedPolicy(), embedElementScript(), pwa],
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // The app, and the embed page other sites show in an iframe (web/embed/).
      input: { main: here('./web/index.html'), embed: here('./web/embed.html') },
    },
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
