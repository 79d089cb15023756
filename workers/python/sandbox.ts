/**
 * One sandbox worker (python.worker.ts) on the main thread's side: its start, its
 * interrupt buffer, and one code run with a wall-clock limit. At the limit the
 * interpreter is interrupted (SharedArrayBuffer, when the page is cross-origin
 * isolated); if that does not land within the grace time, or there is no interrupt,
 * the worker is terminated and starts afresh on its next call. Used by the pool
 * (one per solution) and by the trusted interpreter.
 */
import { WorkerBridge } from '../common/bridge.ts';
import { CancelledError } from '../common/errors.ts';
import type { PythonRunResult, PythonWorkerApi } from '../contracts.ts';

export interface SandboxRunOptions {
  timeoutMs: number;
  maxOutputChars: number;
  signal?: AbortSignal;
}

const CONNECT = 'python-sandbox:connect';

export function failure(type: string, message: string, durationMs: number, timedOut = false): PythonRunResult {
  return { output: `${type}: ${message}`, stdout: '', stderr: '', truncated: false, error: { type, message }, durationMs, timedOut };
}

export function sandboxInterruptible(useInterrupt = true): boolean {
  return useInterrupt && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
}

export class SandboxWorker {
  readonly bridge: WorkerBridge<PythonWorkerApi>;
  private ready: Promise<void> | undefined;
  private interrupt: Int32Array | null = null;
  /** Times the worker was terminated (time limit without a landing interrupt, crash, memory). */
  kills = 0;

  constructor(
    name: string,
    /** Starts the interpreter in a fresh worker (cold, or from a snapshot). */
    private readonly start: (api: PythonWorkerApi, interrupt: Int32Array | null) => Promise<unknown>,
    private readonly options: { useInterrupt?: boolean; interruptGraceMs?: number } = {},
  ) {
    this.bridge = new WorkerBridge<PythonWorkerApi>(
      () => new Worker(new URL('./python.worker.ts', import.meta.url), { type: 'module', name }),
      { name, privatePort: CONNECT },
    );
  }

  get interruptible(): boolean {
    return sandboxInterruptible(this.options.useInterrupt);
  }

  /** True once the interpreter has started and can run code at once. */
  isReady = false;

  /** Interpreters started in this object's workers (one per worker: a second start in one worker is refused). */
  starts = 0;

  /**
   * Start the interpreter (again, after a kill). Calls in the same tick share one start: the worker is
   * started synchronously, so a second caller finds it running and gets the same promise. One start per
   * worker: Pyodide does not support two instances loading in one scope, and the first one's lockdown
   * would pull `fetch` and more from under the second (python.worker.ts refuses a second `init`).
   */
  ensure(): Promise<void> {
    if (this.ready && this.bridge.isRunning) return this.ready;
    this.bridge.start();
    this.starts += 1;
    this.isReady = false;
    this.interrupt = this.interruptible ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const interrupt = this.interrupt;
    const ready = this.bridge.call((api) => this.start(api as unknown as PythonWorkerApi, interrupt)).then(() => {
      if (this.ready === ready) this.isReady = true;
    });
    this.ready = ready;
    ready.catch(() => {
      if (this.ready !== ready) return;
      // A worker whose start failed is not started again: the next start gets a fresh worker.
      this.ready = undefined;
      this.bridge.restart('restarted after its interpreter failed to start');
    });
    return ready;
  }

  /**
   * Run one block. Resolves with a result for time limits and crashes (`SandboxError`);
   * `killed` says the worker was terminated, so whatever its interpreter held is gone.
   */
  async run(session: string, code: string, options: SandboxRunOptions): Promise<PythonRunResult & { killed?: boolean }> {
    if (options.signal?.aborted) throw new CancelledError('The code run was cancelled.');
    await this.ensure();
    const { timeoutMs } = options;
    const started = performance.now();
    const interrupt = this.interrupt;
    if (interrupt) Atomics.store(interrupt, 0, 0);
    let timedOut = false;
    let killed = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const kill = (reason: string) => {
      killed = true;
      this.kill(reason);
    };
    const stop = (reason: string) => {
      if (interrupt) {
        Atomics.store(interrupt, 0, 2); // SIGINT
        killTimer = setTimeout(() => kill(reason), this.options.interruptGraceMs ?? 1_500);
      } else {
        kill(reason);
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop('stopped because code ran past its time limit');
    }, timeoutMs);
    const onAbort = () => stop('stopped because the solve was cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const limit = `the code ran longer than ${timeoutMs / 1000} s and was stopped`;
    try {
      const result = await this.bridge.call((api) => api.run(session, code, options.maxOutputChars));
      if (timedOut || result.timedOut) return { ...result, timedOut: true, output: `TimeoutError: ${limit}`, error: { type: 'TimeoutError', message: limit } };
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw new CancelledError('The code run was cancelled.');
      const ms = performance.now() - started;
      if (timedOut) return { ...failure('TimeoutError', limit, ms, true), killed };
      // The worker is alive but its interpreter failed (e.g. Pyodide's fatal error after a
      // wasm trap): it would fail every later call too, so start a fresh one.
      if (this.bridge.isRunning) this.kill('restarted after Python failed');
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);
      return { ...failure('SandboxError', `Python stopped unexpectedly (${reason}); it was restarted`, ms), killed: true };
    } finally {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Terminate the worker; the next call starts a fresh interpreter. */
  kill(reason: string): void {
    this.kills += 1;
    this.ready = undefined;
    this.isReady = false;
    this.bridge.restart(reason);
  }

  dispose(): void {
    this.ready = undefined;
    this.isReady = false;
    this.bridge.terminate();
  }
}
