/**
 * Fetches the Python runtime's files once (from the app's own origin) and, when a cold start
 * needs it, the sympy archive, checked against the checksum its build step recorded.
 */
import { AppError, registerError } from '../common/errors.ts';
import { sha256Hex } from '../common/hash.ts';
import type { PythonRuntimeFiles } from '../contracts.ts';

export class PythonFilesError extends AppError {
  override name = 'PythonFilesError';
}
registerError(PythonFilesError);

interface PackagesManifest {
  pyodide: string;
  runtime?: Record<string, { bytes: number; sha256?: string }>;
  packages: Record<string, string>;
  archive: { file: string; bytes: number; sha256: string };
}

async function get(url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new PythonFilesError(`Could not load ${what} (${String(error)}).`, { hint: 'Check the connection and reload the page.' });
  }
  if (!response.ok) throw new PythonFilesError(`Could not load ${what}: the server answered ${response.status}.`, { hint: 'Reload the page; if it persists, the site is missing files.' });
  return response;
}

/**
 * pyodide.asm.wasm compiled once for every interpreter of the page: streamed, so the browser compiles while it
 * downloads and can keep the compiled code in its cache for the next visit (V8's wasm code cache serves
 * `compileStreaming` only). Where streaming or compiling is refused, the bytes (each interpreter compiles them).
 */
async function compileWasm(url: string): Promise<{ module?: WebAssembly.Module; wasm?: ArrayBuffer }> {
  if (typeof WebAssembly.compileStreaming === 'function') {
    const response = await get(url, 'Python (pyodide.asm.wasm)');
    const module = await WebAssembly.compileStreaming(response).catch(() => undefined);
    if (module) return { module };
  }
  const wasm = await (await get(url, 'Python (pyodide.asm.wasm)')).arrayBuffer();
  const module = await WebAssembly.compile(wasm).catch(() => undefined);
  return { wasm, ...(module ? { module } : {}) };
}

/** The runtime without the sympy archive (`packages` empty): all a snapshot restore needs; `archive()` adds it for a cold start. */
export interface PythonRuntime {
  files: PythonRuntimeFiles;
  /** The runtime files with the sympy archive, fetched (once) and checked against its size and sha256. */
  withArchive(): Promise<PythonRuntimeFiles>;
}

async function fetchArchive(base: string, manifest: PackagesManifest): Promise<ArrayBuffer> {
  const packages = await (await get(`${base}${manifest.archive.file}`, 'sympy')).arrayBuffer();
  const digest = await sha256Hex(packages);
  if (packages.byteLength !== manifest.archive.bytes || digest !== manifest.archive.sha256) {
    throw new PythonFilesError(`The sympy archive (${manifest.archive.file}) is damaged: its checksum does not match.`, {
      hint: 'Reload the page to download it again.',
      details: { file: manifest.archive.file, expected: manifest.archive.sha256, actual: digest },
    });
  }
  return packages;
}

export async function fetchPythonRuntime(baseUrl: string): Promise<PythonRuntime> {
  const base = new URL(baseUrl, globalThis.location?.href).href.replace(/\/?$/, '/');
  const manifest = (await (await get(`${base}packages.json`, 'the Python package list')).json()) as PackagesManifest;
  const [compiled, stdlib, lockFile] = await Promise.all([
    compileWasm(`${base}pyodide.asm.wasm`),
    get(`${base}python_stdlib.zip`, "Python's standard library").then((r) => r.arrayBuffer()),
    get(`${base}pyodide-lock.json`, "Python's package lock").then((r) => r.text()),
  ]);
  const { module, wasm } = compiled;
  const wasmSha256 = manifest.runtime?.['pyodide.asm.wasm']?.sha256 ?? (await sha256Hex(wasm ?? (await (await get(`${base}pyodide.asm.wasm`, 'Python (pyodide.asm.wasm)')).arrayBuffer())));
  const identity = { pyodide: manifest.pyodide, wasmSha256, archiveSha256: manifest.archive.sha256 };
  const files: PythonRuntimeFiles = { indexURL: base, wasm: wasm ?? new ArrayBuffer(0), stdlib, lockFile, packages: new ArrayBuffer(0), identity, ...(module ? { module } : {}) };
  let archive: Promise<ArrayBuffer> | undefined;
  return {
    files,
    withArchive: async () => {
      archive ??= fetchArchive(base, manifest);
      archive.catch(() => (archive = undefined));
      return { ...files, packages: await archive };
    },
  };
}

const fetched = new Map<string, Promise<PythonRuntime>>();

/** The runtime for `baseUrl`, fetched once per page and shared by every interpreter started from it. */
export function pythonRuntime(baseUrl: string): Promise<PythonRuntime> {
  let runtime = fetched.get(baseUrl);
  if (!runtime) {
    runtime = fetchPythonRuntime(baseUrl);
    fetched.set(baseUrl, runtime);
    runtime.catch(() => fetched.delete(baseUrl));
  }
  return runtime;
}
