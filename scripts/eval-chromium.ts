/**
 * The Chromium engine: the pipeline the page runs, in headless Chromium. A Vite dev server
 * for the app on 127.0.0.1 (vite.config.ts: the same sources, headers and worker build the
 * app gets; COOP/COEP give the Python pool its interrupt buffer and ONNX Runtime its
 * threads) serves web/eval.html, a page that is not linked from the app and not built; it
 * creates the app's SolverClient (solver worker -> ONNX Runtime Web + the sandboxed Pyodide
 * pool) and solves one problem per call. Results come back to Node per problem and are
 * scored there with the same code as the Node engine.
 *
 * Every request the browser makes (the page, its workers and theirs) is recorded, and so is
 * every request the server answers; the run stops with an error as soon as one leaves
 * loopback.
 *
 * The dev server rather than build + preview: nothing is bundled or written (dist/ belongs to
 * the end-to-end tests), and it starts in seconds. It runs without HMR or a file watcher, so
 * edits made in the checkout during a run do not reload the page, with its own dependency
 * cache (node_modules/.vite-eval) so it never races another dev server's optimizer.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import type { SolveRequest, SolveResult } from '../workers/contracts.ts';
import { parseManifest, type Manifest } from '../workers/model/manifest.ts';
import { assertChromium, CHROMIUM_ARGS } from '../tests/support/chromium.ts';
import type { EvalItem } from './eval-data.ts';
import { evalRequest, type EngineRun, type Solved } from './eval-report.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface ChromiumEngineOptions {
  model: string;
  samples: number;
  /** false: launch Chromium without WebGPU, so the solver runs on WebAssembly. Default: WebGPU offered, the solver chooses (as the page does). */
  webgpu?: boolean;
  onProblem?: (done: number, total: number, solved: Solved) => void;
  /** The request for item `index` (default: the model evaluation's, evalRequest); `--solver auto` passes the page's. */
  request?: (item: EvalItem, index: number) => SolveRequest;
  /** Diagnostics (page errors, server warnings). */
  log?: (line: string) => void;
  /** The model's manifest, for a model the app does not serve (a hub entry, read by the caller); default: public/models/<model>/manifest.json. */
  manifest?: Manifest;
  /** Origins besides loopback the page may reach (a hub entry's hosts: registry.ts modelHosts); default none. */
  allowOrigins?: readonly string[];
  /** Extra Chromium flags (e.g. for a hardware GPU). */
  chromiumArgs?: readonly string[];
  /** Read from the page once every problem is solved (e.g. its memory); kept in the run's `extra.page`. */
  afterSolve?: (page: Page) => Promise<Record<string, unknown>>;
}

/** What the Chromium engine saw on the network. */
export interface RequestRecord {
  /** Every URL the browser requested (page and workers), in order. */
  browser: string[];
  /** Every path the dev server answered. */
  served: string[];
  /** Requests that left loopback (the run fails when there is one). */
  offLoopback: string[];
  /** Content-Security-Policy violations the page reported (attempts that were blocked). */
  blocked: string[];
}

export type ChromiumRun = EngineRun & { requests: RequestRecord };

/** True for URLs that do not leave the machine: 127.0.0.0/8, localhost, ::1, and data:/blob:/about: URLs. */
export function staysOnLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  const host = parsed.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class OffLoopbackError extends Error {
  constructor(readonly urls: string[]) {
    super(`The evaluation page made requests that left loopback: ${urls.slice(0, 5).join(', ')}${urls.length > 5 ? ` and ${urls.length - 5} more` : ''}`);
    this.name = 'OffLoopbackError';
  }
}

interface PageApi {
  warm(modelId: string): Promise<void>;
  solve(request: SolveRequest): Promise<{ result: SolveResult; seconds: number; restarts: number }>;
  isolated(): boolean;
}

/** Starts the app's dev server on 127.0.0.1 with a free port; `served` receives every path it answers. */
async function startServer(served: string[]): Promise<{ server: ViteDevServer; origin: string }> {
  const counter: Plugin = {
    name: 'eval:count-requests',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        served.push(req.url ?? '');
        next();
      });
    },
  };
  const server = await createServer({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    cacheDir: join(REPO, 'node_modules/.vite-eval'),
    plugins: [counter],
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, open: false },
  });
  await server.listen();
  const { port } = server.httpServer!.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

export async function evalChromium(options: ChromiumEngineOptions, items: EvalItem[]): Promise<ChromiumRun> {
  const log = options.log ?? (() => {});
  // The manifest the page loads (public/models is what `npm run prepare:models` publishes).
  const manifest = options.manifest ?? parseManifest(JSON.parse(readFileSync(join(REPO, 'public/models', options.model, 'manifest.json'), 'utf8')));
  const requests: RequestRecord = { browser: [], served: [], offLoopback: [], blocked: [] };
  const allowed = (url: string) => staysOnLoopback(url) || (options.allowOrigins ?? []).some((o) => url.startsWith(`${o}/`));
  const check = () => {
    if (requests.offLoopback.length) throw new OffLoopbackError(requests.offLoopback);
  };
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    const started = await startServer(requests.served);
    server = started.server;
    const args = [...CHROMIUM_ARGS.filter((arg) => options.webgpu !== false || arg !== '--enable-unsafe-webgpu'), ...(options.chromiumArgs ?? [])];
    browser = await chromium.launch({ executablePath: assertChromium(), args, headless: true });
    const context = await browser.newContext();
    context.on('request', (request) => {
      const url = request.url();
      requests.browser.push(url);
      if (!allowed(url)) requests.offLoopback.push(url);
    });
    const page = await context.newPage();
    page.on('websocket', (ws) => {
      requests.browser.push(ws.url());
      if (!allowed(ws.url())) requests.offLoopback.push(ws.url());
    });
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') log(`page console: ${message.text()}`);
    });
    await page.exposeFunction('__evalReportViolation', (uri: string) => {
      requests.blocked.push(uri);
      if (!allowed(uri) && uri !== 'inline' && uri !== 'eval') requests.offLoopback.push(uri);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        (window as unknown as { __evalReportViolation: (u: string) => void }).__evalReportViolation(event.blockedURI);
      });
    });

    await page.goto(`${started.origin}/eval.html`);
    await page.waitForFunction(() => 'mathTutorEval' in window, undefined, { timeout: 120_000 });
    const isolated = await page.evaluate(() => (window as unknown as { mathTutorEval: PageApi }).mathTutorEval.isolated());
    if (!isolated) throw new Error('The evaluation page is not cross-origin isolated: the server did not send COOP/COEP.');
    const warmStart = performance.now();
    await page.evaluate((id) => (window as unknown as { mathTutorEval: PageApi }).mathTutorEval.warm(id), options.model);
    const warmSeconds = (performance.now() - warmStart) / 1000;
    check();

    const solved: Solved[] = [];
    const devices: string[] = [];
    let restarts = 0;
    for (const [index, item] of items.entries()) {
      const request = options.request ? options.request(item, index) : evalRequest(item, index, options.model, manifest, options.samples);
      const out = await page.evaluate((req) => (window as unknown as { mathTutorEval: PageApi }).mathTutorEval.solve(req), request);
      check();
      restarts += out.restarts;
      if (out.result.method === 'model' && devices.at(-1) !== out.result.device) devices.push(out.result.device);
      const one: Solved = { item, result: out.result, seconds: out.seconds };
      solved.push(one);
      options.onProblem?.(index + 1, items.length, one);
    }
    const pageFacts = options.afterSolve ? await options.afterSolve(page) : undefined;
    const device = devices.join(' -> ') || 'none';
    // The variant is the graph the page downloaded (the last one, after a lost GPU); otherwise
    // the package's default for the device (a graph already cached by the browser is not requested).
    const graphs = requests.browser.filter((url) => url.includes(`/models/${options.model}/`));
    const fetched = graphs.flatMap((url) => manifest.variants.filter((v) => url.endsWith(`/${v.graph}`)));
    const last = devices.at(-1);
    const variant = fetched.at(-1)?.dtype ?? (last === 'webgpu' ? manifest.defaultVariant.webgpu : manifest.defaultVariant.wasm);
    return {
      engine: `chromium (${device})`,
      device,
      variant,
      solved,
      requests,
      extra: {
        browser: `Chromium ${browser.version()}`,
        warmSeconds,
        gpuRestarts: restarts,
        ...(pageFacts ? { page: pageFacts } : {}),
        requests: { browser: requests.browser.length, served: requests.served.length, offLoopback: requests.offLoopback.length, blocked: requests.blocked.length },
      },
    };
  } finally {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  }
}
