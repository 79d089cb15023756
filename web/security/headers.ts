/**
 * The HTTP headers every server of the app must send: the dev and preview servers
 * (vite.config.ts), static hosts (the `_headers` file written into the build), and
 * any other host (documented in README.md, "Hosting").
 *
 * - COOP/COEP make the page cross-origin isolated: SharedArrayBuffer for the
 *   Python interrupt buffer and multi-threaded ONNX Runtime.
 * - The Content-Security-Policy keeps every request on the app's own origin, plus the
 *   model hosts listed in the registry (`connectHosts`).
 */

export interface HeaderOptions {
  /** Extra origins the model registry downloads from, e.g. 'https://huggingface.co'. */
  connectHosts?: readonly string[];
  /** Dev server only: allow Vite's HMR websocket. */
  dev?: boolean;
  /**
   * Who may show the page in a frame (CSP `frame-ancestors`). Default `'self'`: the app
   * refuses to be framed by other sites; the embed page (`embedHeaders`) widens it.
   */
  frameAncestors?: readonly string[];
}

export function contentSecurityPolicy(options: HeaderOptions = {}): string {
  const connect = ["'self'", ...(options.connectHosts ?? [])];
  if (options.dev) connect.push('ws://localhost:*', 'ws://127.0.0.1:*');
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // 'wasm-unsafe-eval': ONNX Runtime and Pyodide compile WebAssembly.
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    // blob: workers are created by ONNX Runtime's threaded build.
    'worker-src': ["'self'", 'blob:'],
    'connect-src': connect,
    'img-src': ["'self'", 'data:', 'blob:'],
    // KaTeX and Svelte set inline style attributes.
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': [...(options.frameAncestors ?? ["'self'"])],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

export function securityHeaders(options: HeaderOptions = {}): Record<string, string> {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** A `_headers` file (Netlify / Cloudflare Pages format) for the whole site. */
export function headersFile(options: HeaderOptions = {}): string {
  const lines = Object.entries(securityHeaders(options)).map(([k, v]) => `  ${k}: ${v}`);
  return ['/*', ...lines, ''].join('\n');
}

/**
 * Only the isolation headers: for the in-browser test runner, whose own harness
 * pages use inline scripts that the app's CSP would (rightly) block.
 */
export function isolationHeaders(): Record<string, string> {
  const all = securityHeaders();
  return {
    'Cross-Origin-Opener-Policy': all['Cross-Origin-Opener-Policy']!,
    'Cross-Origin-Embedder-Policy': all['Cross-Origin-Embedder-Policy']!,
  };
}

/**
 * The Python sandbox worker's own policy, sent with its script: no connection to
 * anywhere (fetch, XHR, WebSocket, EventSource), no nested workers, scripts only
 * from the app. Chromium enforces a dedicated worker's policy from its script's
 * response, so this holds whatever references Pyodide keeps inside the worker.
 */
export const SANDBOX_WORKER_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'none'; worker-src 'none'";

/** Matches the sandbox worker's script: `python.worker.ts` in dev, `assets/python.worker-<hash>.js` when built. */
export const SANDBOX_WORKER_PATH = /\/python\.worker(?:-[\w-]+)?\.(?:ts|js)(?:\?|$)/;

/** `_headers` block giving built sandbox worker scripts their policy. */
export function sandboxHeadersBlock(): string {
  return ['/assets/python.worker-*', `  Content-Security-Policy: ${SANDBOX_WORKER_CSP}`, ''].join('\n');
}

// ── Embedding ──────────────────────────────────────────────────────────────

/** The embed page and the custom element's script: the only paths other sites may frame or load. */
export const EMBED_PATH = /^\/embed(?:\.html|\/[^?#]*)(?:[?#].*)?$/;

export interface EmbedOptions extends HeaderOptions {
  /** Sites allowed to embed the tutor, fixed at build time; empty: any site (each page names its origin in `?origins=`). */
  embedOrigins?: readonly string[];
}

/**
 * Headers for `/embed.html` and `/embed/*`: the app's headers, except that other sites may
 * frame the page (`frame-ancestors` lists the build's embed origins, or any site when none
 * are set) and load it (`Cross-Origin-Resource-Policy: cross-origin`, which a cross-origin
 * isolated host needs for its frames and scripts). COEP stays `require-corp`, so inside an
 * isolated host the tutor is isolated too; inside any other host it is not, and runs on its
 * fallbacks (single-threaded ONNX Runtime, Python stopped by terminating its worker).
 */
export function embedHeaders(options: EmbedOptions = {}): Record<string, string> {
  const origins = options.embedOrigins ?? [];
  const frameAncestors = origins.length ? ["'self'", ...origins] : ['*'];
  return {
    ...securityHeaders({ ...options, frameAncestors }),
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
}

/**
 * `_headers` blocks for the embed paths. `! Name` (Cloudflare Pages) drops the value the
 * `/*` block set, so the embed values replace rather than join it.
 */
export function embedHeadersBlock(options: EmbedOptions = {}): string {
  const headers = embedHeaders(options);
  const replaced = ['Content-Security-Policy', 'Cross-Origin-Resource-Policy'];
  const lines = [...replaced.map((name) => `  ! ${name}`), ...replaced.map((name) => `  ${name}: ${headers[name]!}`)];
  return [
    ['/embed.html', ...lines].join('\n'),
    ['/embed/*', ...lines, '  Access-Control-Allow-Origin: *'].join('\n'),
    '',
  ].join('\n');
}
