/**
 * One Python interpreter (Pyodide) running solution code: per-solution sessions,
 * captured output, the MARIO last-expression convention, truncation, and the
 * interrupt that stops code at its time limit. Transport-free: the worker and the
 * Node tests both use it.
 */
import type { PyodideInterface } from 'pyodide';
import type { PythonRunResult } from '../contracts.ts';

export const DEFAULT_MAX_OUTPUT_CHARS = 400;

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
      pyodide.unpackArchive(options.packages, 'zip', { extractDir: '/lib/python3.14/site-packages' });
    }
    pyodide.FS.mkdirTree('/lib/python3.14/site-packages');
    pyodide.FS.writeFile('/lib/python3.14/site-packages/tutor_runner.py', options.runner);
    pyodide.runPython(`import sys; sys.setrecursionlimit(${options.recursionLimit ?? 600}); sys.dont_write_bytecode = True`);
    return new Interpreter(pyodide);
  }

  /** Import sympy now (so the first solution does not pay for it). Returns its version. */
  warmSympy(): string {
    return String(this.pyodide.runPython('import sympy, mpmath; sympy.__version__'));
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
