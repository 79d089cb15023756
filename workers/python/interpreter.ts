/**
 * One Python interpreter (Pyodide) running solution code: per-solution sessions,
 * captured output, the MARIO last-expression convention, truncation, and the
 * interrupt that stops code at its time limit. Transport-free: the worker and the
 * Node tests both use it.
 */
import type { PyodideInterface } from 'pyodide';
import type { PythonRunResult, PythonSnapshot, PythonStartPhases } from '../contracts.ts';

export const DEFAULT_MAX_OUTPUT_CHARS = 400;
export const SITE_PACKAGES = '/lib/python3.14/site-packages';

type CreateModule = (settings: Record<string, unknown>) => Promise<{ HEAP8: Int8Array; _malloc(n: number): number; _free(p: number): void }>;

let patched = 0;
const { instantiate, instantiateStreaming } = WebAssembly;

/** While Pyodide instantiates its wasm, hand it `module` (compiled once) instead of compiling its bytes again. */
async function withCompiled<T>(module: WebAssembly.Module | undefined, run: () => Promise<T>): Promise<T> {
  if (!module) return run();
  const reuse = async (_source: unknown, imports?: WebAssembly.Imports) => ({ instance: await instantiate(module, imports), module });
  if (patched++ === 0) Object.assign(WebAssembly, { instantiate: reuse, instantiateStreaming: reuse });
  try {
    return await run();
  } finally {
    if (--patched === 0) Object.assign(WebAssembly, { instantiate, instantiateStreaming });
  }
}

/**
 * Wraps pyodide.asm.mjs's module factory for `loadPyodide({ createPyodideModule })`, optionally
 * reusing an already compiled pyodide.asm.wasm (`module`: compiling 9.6 MB costs each start
 * ~0.2 s, and the tiered-up code is shared too).
 * With `snapshotBytes` (for `_loadSnapshot`): Pyodide's wasm exports its own memory, so the
 * snapshot's size (INITIAL_MEMORY) is not honoured and copying the snapshot in would
 * overflow: grow the fresh memory first (through malloc, so emscripten's views follow; the
 * snapshot then overwrites the whole heap).
 */
export function pyodideModule(
  create: unknown,
  options: { module?: WebAssembly.Module; snapshotBytes?: number; phases?: Partial<Pick<PythonStartPhases, 'instantiate' | 'grow'>> } = {},
): CreateModule {
  return async (settings) => {
    const started = performance.now();
    const module = await withCompiled(options.module, () => (create as CreateModule)(settings));
    const made = performance.now();
    if (options.phases) options.phases.instantiate = made - started;
    const blocks: number[] = [];
    while (module.HEAP8.length < (options.snapshotBytes ?? 0)) {
      const block = module._malloc(8 << 20);
      if (!block) throw new Error('could not grow the memory for the Python snapshot');
      blocks.push(block);
    }
    for (const block of blocks) module._free(block);
    if (options.phases) options.phases.grow = performance.now() - made;
    return module;
  };
}

interface EmscriptenFS {
  readdir(path: string): string[];
  stat(path: string): { mode: number };
  isDir(mode: number): boolean;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array, options?: { canOwn?: boolean }): void;
  mkdirTree(path: string): void;
}

function captureTree(fs: EmscriptenFS, root: string, skip: ReadonlySet<string>): PythonSnapshot['site'] {
  const paths: string[] = [];
  const chunks: Uint8Array[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      const path = `${dir}/${name}`;
      if (fs.isDir(fs.stat(path).mode)) walk(path);
      else if (!skip.has(path)) {
        paths.push(path.slice(root.length + 1));
        chunks.push(fs.readFile(path));
      }
    }
  };
  walk(root);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { paths, sizes: chunks.map((c) => c.length), bytes: bytes.buffer };
}

function restoreTree(fs: EmscriptenFS, root: string, site: PythonSnapshot['site']): void {
  const bytes = new Uint8Array(site.bytes);
  const made = new Set<string>();
  let offset = 0;
  site.paths.forEach((rel, i) => {
    const path = `${root}/${rel}`;
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (!made.has(dir)) {
      fs.mkdirTree(dir);
      made.add(dir);
    }
    const size = site.sizes[i]!;
    fs.writeFile(path, bytes.subarray(offset, offset + size), { canOwn: true });
    offset += size;
  });
}

export interface InterpreterOptions {
  /** The Python source of runner.py (imported with `?raw` in the worker, read from disk in Node). */
  runner: string;
  /** sympy + mpmath archive (public/pyodide/sympy.zip), unpacked into site-packages. */
  packages?: Uint8Array;
  /** Recursion limit for solution code: deep enough for real code, shallow enough to stay off the wasm stack's end. */
  recursionLimit?: number;
}

export class Interpreter {
  private readonly runFn: (session: string, code: string, maxChars: number) => { toJs(o: object): unknown; destroy(): void };
  private readonly closeFn: (session: string) => void;

  private constructor(private readonly pyodide: PyodideInterface) {
    const module = pyodide.pyimport('tutor_runner') as unknown as { run: Interpreter['runFn']; close: Interpreter['closeFn'] };
    this.runFn = module.run;
    this.closeFn = module.close;
  }

  static async create(pyodide: PyodideInterface, options: InterpreterOptions): Promise<Interpreter> {
    if (options.packages) {
      pyodide.unpackArchive(options.packages, 'zip', { extractDir: SITE_PACKAGES });
    }
    pyodide.FS.mkdirTree(SITE_PACKAGES);
    pyodide.FS.writeFile(`${SITE_PACKAGES}/tutor_runner.py`, options.runner);
    pyodide.runPython(`import sys; sys.setrecursionlimit(${options.recursionLimit ?? 600}); sys.dont_write_bytecode = True`);
    return new Interpreter(pyodide);
  }

  /**
   * A fresh interpreter from a snapshot: `pyodide` was loaded with `_loadSnapshot`
   * (its memory already holds the started interpreter); this puts back the files.
   */
  static restore(pyodide: PyodideInterface, site: PythonSnapshot['site']): Interpreter {
    restoreTree(pyodide.FS as unknown as EmscriptenFS, SITE_PACKAGES, site);
    if (pyodide.runPython('import sys\n6 * 7 if "tutor_runner" in sys.modules and "sympy" in sys.modules else 0') !== 42) {
      throw new Error('the restored interpreter does not answer as the snapshot did');
    }
    return new Interpreter(pyodide);
  }

  /**
   * The interpreter's state for `restore` (Pyodide loaded with `_makeSnapshot: true`).
   * Take it before any generated code ran: every solution starts from it.
   */
  snapshot(): PythonSnapshot {
    // Modules already imported live in the memory snapshot: only the files Python may still open are kept.
    const imported = this.pyodide.runPython(
      `import sys\n[m.__file__ for m in list(sys.modules.values()) if isinstance(getattr(m, '__file__', None), str) and m.__file__.startswith('${SITE_PACKAGES}/')]`,
    ) as { toJs(): string[]; destroy(): void };
    const skip = new Set(imported.toJs());
    imported.destroy();
    const site = captureTree(this.pyodide.FS as unknown as EmscriptenFS, SITE_PACKAGES, skip);
    const memory = (this.pyodide as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
    return { memory: memory.buffer.byteLength === memory.byteLength ? (memory.buffer as ArrayBuffer) : (memory.slice().buffer as ArrayBuffer), site };
  }

  /** Import sympy now (so the first solution does not pay for it). Returns its version. */
  warmSympy(): string {
    return String(this.pyodide.runPython('import sympy, mpmath; sympy.__version__'));
  }

  /** The app's own Python (e.g. importing the symbolic solver before a snapshot); never generated code. */
  runTrusted(code: string): void {
    this.pyodide.runPython(code);
  }

  sympyVersion(): string {
    return String(this.pyodide.runPython('import sys\nsys.modules["sympy"].__version__'));
  }

  /** Run code in a session; the session's variables persist across calls. */
  run(session: string, code: string, maxOutputChars = DEFAULT_MAX_OUTPUT_CHARS): PythonRunResult {
    const proxy = this.runFn(session, code, maxOutputChars);
    // After a Pyodide fatal error (e.g. a wasm trap) calls return nothing: the interpreter is unusable.
    if (!proxy) throw new Error('the interpreter failed and can no longer run code');
    try {
      const r = proxy.toJs({ dict_converter: Object.fromEntries }) as Omit<PythonRunResult, 'timedOut'> & {
        error: { type: string; message: string; line: number | null } | null;
      };
      const result: PythonRunResult = {
        output: r.output,
        stdout: r.stdout,
        stderr: r.stderr,
        truncated: r.truncated,
        durationMs: r.durationMs,
        timedOut: r.error?.type === 'TimeoutError',
      };
      if (r.error) {
        result.error = { type: r.error.type, message: r.error.message };
        if (r.error.line !== null) result.error.line = r.error.line;
      }
      return result;
    } finally {
      proxy.destroy();
    }
  }

  closeSession(session: string): void {
    this.closeFn(session);
  }

  /** A SharedArrayBuffer-backed Int32Array: writing 2 (SIGINT) stops the running code with KeyboardInterrupt. */
  setInterruptBuffer(buffer: Int32Array): void {
    this.pyodide.setInterruptBuffer(buffer);
  }
}
