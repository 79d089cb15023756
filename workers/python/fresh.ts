/**
 * The pool's isolation without workers, for Node (evaluation, unit tests, benchmarks):
 * every session gets an interpreter of its own, restored from a snapshot of a started
 * interpreter taken before any code ran, and dropped when the session closes.
 *
 * In Node the interpreters share the process's JavaScript realm (Python's `js` module
 * is Node's globalThis), so this isolates Python state only; it is for running our own
 * evaluations, not for untrusted users. The browser pool (pool.ts) puts each
 * interpreter in a worker of its own as well.
 */
import type { PyodideInterface } from 'pyodide';
import type { PythonRunResult, PythonSnapshot } from '../contracts.ts';
import { PythonIsolationError } from '../common/errors.ts';
import { DEFAULT_MAX_OUTPUT_CHARS, Interpreter, pyodideModule, type InterpreterOptions } from './interpreter.ts';

type Load = (options: Record<string, unknown>) => Promise<PyodideInterface>;

/** Pyodide's module factory (pyodide.asm.mjs) from the installed package, for `create` in Node. */
export async function pyodideFactory(): Promise<unknown> {
  const specifier = 'pyodide/pyodide.asm.mjs'; // untyped module: imported by name
  return ((await import(/* @vite-ignore */ specifier)) as { default: unknown }).default;
}

export class FreshInterpreters {
  private readonly sessions = new Map<string, Interpreter>();
  /** ms each new session spent restoring its interpreter. */
  readonly restoreMs: number[] = [];

  private restoring: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly load: Load,
    private readonly createModule: unknown,
    private readonly snapshot: PythonSnapshot,
    private readonly module: WebAssembly.Module | undefined,
  ) {}

  /**
   * Start one interpreter cold (Pyodide, sympy, the runner) and snapshot it before it runs any
   * code. `wasm`: the bytes of pyodide.asm.wasm, compiled once for all interpreters.
   */
  static async create(load: Load, createModule: unknown, options: InterpreterOptions & { wasm?: Uint8Array<ArrayBuffer> }): Promise<FreshInterpreters> {
    const module = options.wasm ? await WebAssembly.compile(options.wasm) : undefined;
    const template = await Interpreter.create(await load({ _makeSnapshot: true, createPyodideModule: pyodideModule(createModule, module ? { module } : {}) }), options);
    template.warmSympy();
    return new FreshInterpreters(load, createModule, template.snapshot(), module);
  }

  private async interpreter(session: string): Promise<Interpreter> {
    let interpreter = this.sessions.get(session);
    if (!interpreter) {
      const started = performance.now();
      try {
        const restore = this.restoring.then(() =>
          this.load({
            _loadSnapshot: new Uint8Array(this.snapshot.memory),
            createPyodideModule: pyodideModule(this.createModule, { ...(this.module ? { module: this.module } : {}), snapshotBytes: this.snapshot.memory.byteLength }),
          }),
        );
        this.restoring = restore.catch(() => {});
        interpreter = Interpreter.restore(await restore, this.snapshot.site);
      } catch (error) {
        throw new PythonIsolationError('Python could not start a fresh interpreter for this solution, so its code was not run.', { cause: error });
      }
      this.restoreMs.push(performance.now() - started);
      this.sessions.set(session, interpreter);
    }
    return interpreter;
  }

  /** Time limits are not enforced here (the interpreter runs on this thread), as with a plain Interpreter. */
  async run(session: string, code: string, options: { maxOutputChars?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PythonRunResult> {
    return (await this.interpreter(session)).run(session, code, options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS);
  }

  async closeSession(session: string): Promise<void> {
    this.sessions.delete(session);
  }
}
