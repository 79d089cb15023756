/**
 * Fetches the Python runtime's files once (from the app's own origin) and checks the
 * sympy archive against the checksum its build step recorded.
 */
import { AppError, registerError } from '../common/errors.ts';
import type { PythonRuntimeFiles } from '../contracts.ts';

export class PythonFilesError extends AppError {
  override name = 'PythonFilesError';
}
registerError(PythonFilesError);

interface PackagesManifest {
  pyodide: string;
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

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function fetchPythonFiles(baseUrl: string): Promise<PythonRuntimeFiles> {
  const base = new URL(baseUrl, globalThis.location?.href).href.replace(/\/?$/, '/');
  const manifest = (await (await get(`${base}packages.json`, 'the Python package list')).json()) as PackagesManifest;
  const [wasm, stdlib, lockFile, packages] = await Promise.all([
    get(`${base}pyodide.asm.wasm`, 'Python (pyodide.asm.wasm)').then((r) => r.arrayBuffer()),
    get(`${base}python_stdlib.zip`, "Python's standard library").then((r) => r.arrayBuffer()),
    get(`${base}pyodide-lock.json`, "Python's package lock").then((r) => r.text()),
    get(`${base}${manifest.archive.file}`, 'sympy').then((r) => r.arrayBuffer()),
  ]);
  const [digest, wasmSha256] = await Promise.all([sha256Hex(packages), sha256Hex(wasm)]);
  if (packages.byteLength !== manifest.archive.bytes || digest !== manifest.archive.sha256) {
    throw new PythonFilesError(`The sympy archive (${manifest.archive.file}) is damaged: its checksum does not match.`, {
      hint: 'Reload the page to download it again.',
      details: { file: manifest.archive.file, expected: manifest.archive.sha256, actual: digest },
    });
  }
  // Compiled once here, every interpreter instantiates it; where compiling is refused, each compiles the bytes itself.
  const module = await WebAssembly.compile(wasm).catch(() => undefined);
  const identity = { pyodide: manifest.pyodide, wasmSha256, archiveSha256: digest };
  return { indexURL: base, wasm, stdlib, lockFile, packages, identity, ...(module ? { module } : {}) };
}

const fetched = new Map<string, Promise<PythonRuntimeFiles>>();

/** The runtime files for `baseUrl`, fetched once per page and shared by every interpreter started from it. */
export function pythonFiles(baseUrl: string): Promise<PythonRuntimeFiles> {
  let files = fetched.get(baseUrl);
  if (!files) {
    files = fetchPythonFiles(baseUrl);
    fetched.set(baseUrl, files);
    files.catch(() => fetched.delete(baseUrl));
  }
  return files;
}
