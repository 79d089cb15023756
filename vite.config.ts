import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { headersFile, securityHeaders } from './web/security/headers.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Hosts the model registry downloads from, besides the app's own origin. */
const MODEL_HOSTS: string[] = [];

/** Writes the `_headers` file static hosts read (Netlify, Cloudflare Pages). */
function staticHostHeaders(): Plugin {
  return {
    name: 'math-tutor:static-host-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile({ connectHosts: MODEL_HOSTS }) });
    },
  };
}

export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  plugins: [svelte({ configFile: here('./svelte.config.js') }), staticHostHeaders()],
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
