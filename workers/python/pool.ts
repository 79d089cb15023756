/**
 * A pool of Python interpreters, each in its own sandbox worker, so that the sampled
 * solutions of one problem do not queue behind one interpreter. A solution's session
 * stays on one interpreter. Each run has a wall-clock limit: first the interpreter is
 * interrupted (SharedArrayBuffer, when the page is cross-origin isolated); if that
 * does not land, the worker is terminated and started again. Calls of a worker that
 * dies are answered with an error result, never left hanging.
 */
import { WorkerBridge } from '../common/bridge.ts';
import { CancelledError } from '../common/errors.ts';
import type { PythonRunResult, PythonRuntimeFiles, PythonWorkerApi } from '../contracts.ts';
import { fetchPythonFiles } from './files.ts';
import { DEFAULT_MAX_OUTPUT_CHARS } from './interpreter.ts';

export interface PoolOptions {
  /** Interpreters (default 2). */
  size?: number;
  /** Where public/pyodide is served (default: the app's /pyodide/). */
  baseUrl?: string;
  /** Per-run limit, ms (default 10 000). */
  timeoutMs?: number;
  /** Output length fed back to the model (default 400, as ToRA and Qwen2.5-Math). */
  maxOutputChars?: number;
  /** How long an interrupt may take to land before the worker is terminated (default 1 500 ms). */
  interruptGraceMs?: number;
  /** Use the SharedArrayBuffer interrupt when available (default true). */
  useInterrupt?: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  maxOutputChars?: number;
  signal?: AbortSignal;
}

const CONNECT = 'python-sandbox:connect';

interface Slot {
  bridge: WorkerBridge<PythonWorkerApi>;
  ready: Promise<void> | undefined;
  interrupt: Int32Array | null;
  sessions: Set<string>;
  tail: Promise<unknown>;
  /** Sessions whose variables were lost in a restart. */
  lost: Set<string>;
  restarts: number;
}

function failure(type: string, message: string, durationMs: number, timedOut = false): PythonRunResult {
  return { output: `${type}: ${message}`, stdout: '', stderr: '', truncated: false, error: { type, message }, durationMs, timedOut };
}

export class PythonPool {
  private readonly slots: Slot[];
  private files: Promise<PythonRuntimeFiles> | undefined;
  private readonly pins = new Map<string, number>();
  readonly size: number;

  constructor(private readonly options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 2);
    this.slots = Array.from({ length: this.size }, (_, i) => ({
      bridge: new WorkerBridge<PythonWorkerApi>(
        () => new Worker(new URL('./python.worker.ts', import.meta.url), { type: 'module', name: `python-${i + 1}` }),
        { name: `Python interpreter ${i + 1}`, privatePort: CONNECT },
      ),
      ready: undefined,
      interrupt: null,
      sessions: new Set<string>(),
      tail: Promise.resolve(),
      lost: new Set<string>(),
      restarts: 0,
    }));
  }

  /** True when runs are stopped by interrupting rather than by restarting the worker. */
  get interruptible(): boolean {
    return (this.options.useInterrupt ?? true) && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  }

  /** Start every interpreter in the background (e.g. while the model loads). */
  warm(): Promise<void> {
    return Promise.all(this.slots.map((slot) => this.ensure(slot))).then(() => undefined);
  }

  /** Restarts caused by time limits or crashes, per interpreter. */
  get restarts(): number[] {
    return this.slots.map((s) => s.restarts);
  }

  private ensure(slot: Slot): Promise<void> {
    if (slot.ready && slot.bridge.isRunning) return slot.ready;
    this.files ??= fetchPythonFiles(this.options.baseUrl ?? `${import.meta.env?.BASE_URL ?? '/'}pyodide/`);
    slot.interrupt = this.interruptible ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const interrupt = slot.interrupt;
    slot.ready = this.files
      .then((files) => slot.bridge.call((api) => api.init(files, interrupt)))
      .then(() => undefined);
    slot.ready.catch(() => {
      slot.ready = undefined;
    });
    return slot.ready;
  }

  private pin(session: string): Slot {
    let index = this.pins.get(session);
    if (index === undefined) {
      const loads = this.slots.map((s) => s.sessions.size);
      index = loads.indexOf(Math.min(...loads));
      this.pins.set(session, index);
      this.slots[index]!.sessions.add(session);
    }
    return this.slots[index]!;
  }

  /** Run a code block in a solution's session. Always resolves with a result (errors included), unless cancelled. */
  run(session: string, code: string, options: RunOptions = {}): Promise<PythonRunResult> {
    const slot = this.pin(session);
    const job = slot.tail.then(() => this.execute(slot, session, code, options));
    slot.tail = job.catch(() => {});
    return job;
  }

  private async execute(slot: Slot, session: string, code: string, options: RunOptions): Promise<PythonRunResult> {
    if (options.signal?.aborted) throw new CancelledError('The code run was cancelled.');
    await this.ensure(slot);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const maxChars = options.maxOutputChars ?? this.options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    const started = performance.now();
    if (slot.interrupt) Atomics.store(slot.interrupt, 0, 0);
    let timedOut = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = (reason: string) => {
      if (slot.interrupt) {
        Atomics.store(slot.interrupt, 0, 2); // SIGINT
        killTimer = setTimeout(() => this.kill(slot, reason), this.options.interruptGraceMs ?? 1_500);
      } else {
        this.kill(slot, reason);
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop('stopped because code ran past its time limit');
    }, timeoutMs);
    const onAbort = () => stop('stopped because the solve was cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await slot.bridge.call((api) => api.run(session, code, maxChars));
      if (timedOut || result.timedOut) {
        return { ...result, timedOut: true, output: `TimeoutError: the code ran longer than ${timeoutMs / 1000} s and was stopped`, error: { type: 'TimeoutError', message: `the code ran longer than ${timeoutMs / 1000} s and was stopped` } };
      }
      if (slot.lost.delete(session) && result.error?.type === 'NameError') {
        result.output += '\n(Python was restarted after an earlier block ran too long, so earlier variables are gone.)';
      }
      if (result.error?.type === 'MemoryError') {
        // What this solution still holds would make every other session on the interpreter
        // run out of memory too: drop its variables and files.
        await slot.bridge.call((api) => api.closeSession(session)).catch(() => {});
        result.output += "\n(Memory ran out, so this solution's variables were cleared.)";
      }
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw new CancelledError('The code run was cancelled.');
      const ms = performance.now() - started;
      if (timedOut) return failure('TimeoutError', `the code ran longer than ${timeoutMs / 1000} s and was stopped`, ms, true);
      // The worker is alive but its interpreter failed (e.g. Pyodide's fatal error after a
      // wasm trap): it would fail every later call too, so start a fresh one.
      if (slot.bridge.isRunning) this.kill(slot, 'restarted after Python failed');
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);
      return failure('SandboxError', `Python stopped unexpectedly (${reason}); it was restarted`, ms);
    } finally {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private kill(slot: Slot, reason: string): void {
    slot.restarts += 1;
    for (const s of slot.sessions) slot.lost.add(s);
    slot.ready = undefined;
    slot.bridge.restart(reason);
  }

  async closeSession(session: string): Promise<void> {
    const index = this.pins.get(session);
    if (index === undefined) return;
    this.pins.delete(session);
    const slot = this.slots[index]!;
    slot.sessions.delete(session);
    slot.lost.delete(session);
    if (slot.bridge.isRunning && slot.ready) {
      await slot.ready.catch(() => {});
      await slot.bridge.call((api) => api.closeSession(session)).catch(() => {});
    }
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.ready = undefined;
      slot.bridge.terminate();
    }
  }
}
