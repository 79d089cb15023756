/**
 * The Python interpreters of generated code. Every solution (session) gets an
 * interpreter of its own, in a sandbox worker of its own, that no other solution
 * has used or will use: it is restored from a snapshot of a started interpreter
 * (Pyodide + sympy + the runner) taken before any generated code ran, and its
 * worker is terminated when the solution ends. So a solution cannot read or change
 * another's variables, files, modules or interpreter settings, nor the runner that
 * reports its results: there is nothing shared left to reach.
 *
 * A few restored interpreters are kept ready (`size`), so a new solution does not
 * wait for one. If no snapshot can be made or restored, the pool refuses to run
 * generated code (`PythonIsolationError`); it never falls back to a shared interpreter.
 *
 * Each run has a wall-clock limit (sandbox.ts): first an interrupt, then terminate;
 * a solution whose worker was terminated continues in a fresh interpreter.
 */
import { CancelledError, PythonIsolationError, WorkerCrashedError } from '../common/errors.ts';
import type { PythonRunResult, PythonStartPhases } from '../contracts.ts';
import { Serial } from '../common/serial.ts';
import { PythonFilesError } from './files.ts';
import { DEFAULT_MAX_OUTPUT_CHARS } from './interpreter.ts';
import { SandboxWorker, sandboxInterruptible } from './sandbox.ts';
import { PythonTemplate, type Template } from './template.ts';

export interface PoolOptions {
  /** Interpreters kept started and ready for new solutions (default 2). */
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
  /** The snapshot every interpreter restores from, shared with the trusted interpreter (default: one made by this pool, not kept). */
  template?: PythonTemplate;
}

export interface RunOptions {
  timeoutMs?: number;
  maxOutputChars?: number;
  signal?: AbortSignal;
}

/** Restores tried per interpreter before the pool refuses to run the code (see readySpare). */
const RESTORE_ATTEMPTS = 3;

interface Session {
  worker: SandboxWorker;
  /** The solution's blocks, one at a time in order. */
  serial: Serial;
  /** Its interpreter was terminated: earlier variables are gone. */
  lost: boolean;
}

export class PythonPool {
  readonly template: PythonTemplate;
  private readonly spares: SandboxWorker[] = [];
  private readonly sessions = new Map<string, Session>();
  private started = 0;
  private disposed = false;
  readonly size: number;
  /** For each solution so far: ms its first block waited for its interpreter (0 when one was ready). */
  readonly claimWaitsMs: number[] = [];
  /** For each interpreter restored so far: ms the restore took inside its worker (from loading Pyodide to locked down). */
  readonly restoreMs: number[] = [];
  /** For each interpreter restored so far: where its restore spent the time inside its worker. */
  readonly restorePhasesMs: PythonStartPhases[] = [];
  /** For each interpreter restored so far: ms from asking its new worker to restore the snapshot to ready (worker boot and the snapshot's transfer included). */
  readonly readyMs: number[] = [];
  /** Restores that failed (and were tried again in a new worker, up to RESTORE_ATTEMPTS). */
  restoreFailures = 0;
  /** The first line of each failed restore's error, in order (what `restoreFailures` counts). */
  readonly restoreErrors: string[] = [];
  /** Interpreters terminated by time limits, crashes or memory exhaustion. */
  restarts = 0;
  /** Workers made for solutions so far, and interpreter starts sent to them (one each, see SandboxWorker.ensure). */
  get workersMade(): number {
    return this.started;
  }
  interpreterStarts = 0;
  /** Calls whose interpreter ended before it answered, given the next interpreter instead. */
  rerouted = 0;

  constructor(private readonly options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? 2);
    this.template = options.template ?? new PythonTemplate(options.baseUrl ? { baseUrl: options.baseUrl } : {});
  }

  /** Solutions with an interpreter now, and workers alive (ready spares included). */
  get openSessions(): number {
    return this.sessions.size;
  }
  get liveWorkers(): number {
    return [...this.spares, ...[...this.sessions.values()].map((s) => s.worker)].filter((w) => w.bridge.isRunning).length;
  }

  /** True when runs are stopped by interrupting rather than by terminating the worker. */
  get interruptible(): boolean {
    return sandboxInterruptible(this.options.useInterrupt);
  }

  /** Make the snapshot and start the ready interpreters in the background (e.g. while the model loads). */
  async warm(): Promise<void> {
    await this.loadTemplate();
    this.refill();
    await Promise.all(this.spares.map((spare) => this.readySpare(spare)));
  }

  /**
   * A restore that fails is tried again in a new, never-used worker from a snapshot made again, at most
   * RESTORE_ATTEMPTS times in all: in Chromium some pages' restores all failed ("reading '_importhook'" in
   * Pyodide's package index set-up) while others' never did, and a new worker is as isolated as the first.
   * A failure that persists is the pool's PythonIsolationError.
   */
  private async readySpare(spare: SandboxWorker, attempt = 1): Promise<void> {
    try {
      await spare.ensure();
    } catch (error) {
      const at = this.spares.indexOf(spare);
      // Claimed meanwhile (its session starts or retries its own), or the pool ended: nothing for warm() to report.
      if (at < 0 || this.disposed) return;
      this.noteFailure(error);
      if (!(error instanceof PythonIsolationError) || attempt >= RESTORE_ATTEMPTS) throw error;
      spare.dispose();
      const fresh = this.newInterpreter();
      this.spares.splice(at, 1, fresh);
      await this.readySpare(fresh, attempt + 1);
    }
  }

  /**
   * The session's interpreter, started. A failed restore is retried in a new worker (see readySpare); a worker
   * that ended before it answered (WorkerCrashedError) is replaced by the next interpreter, so the call never
   * reaches the student as "Python N was shut down".
   */
  private async readyWorker(entry: Session): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await entry.worker.ensure();
      } catch (error) {
        if (this.disposed) throw error;
        if (error instanceof WorkerCrashedError && attempt < RESTORE_ATTEMPTS) {
          this.rerouted += 1;
        } else {
          this.noteFailure(error);
          if (!(error instanceof PythonIsolationError) || attempt >= RESTORE_ATTEMPTS) throw error;
        }
        entry.worker.dispose();
        entry.worker = this.takeSpare();
      }
    }
  }

  private noteFailure(error: unknown): void {
    this.restoreFailures += 1;
    const reason = error instanceof PythonIsolationError ? error.details?.['reason'] : undefined;
    this.restoreErrors.push(String(reason ?? (error instanceof Error ? error.message : error)).split('\n')[0]!);
  }

  /** The snapshot every solution starts from (template.ts): kept on this device, or made once on this page. */
  private async loadTemplate(): Promise<Template> {
    try {
      return await this.template.get();
    } catch (error) {
      // Files that did not download are their own error (PythonFilesError), tried again on the next call.
      if (error instanceof PythonFilesError) throw error;
      this.noteFailure(error);
      throw new PythonIsolationError('Python could not prepare a fresh interpreter for each solution, so no solution code is run.', {
        hint: 'Reload the page; if it persists, this browser cannot run the Python sandbox.',
        cause: error,
        details: { reason: error instanceof Error ? error.message : String(error) },
      });
    }
  }

  private newInterpreter(): SandboxWorker {
    this.started += 1;
    const worker = new SandboxWorker(
      `Python ${this.started}`,
      async (api, interrupt) => {
        this.interpreterStarts += 1;
        const template = await this.loadTemplate();
        const asked = performance.now();
        try {
          const started = await api.init(PythonTemplate.restoreFiles(template.files), interrupt, template.snapshot);
          this.restoreMs.push(started.startMs);
          this.restorePhasesMs.push(started.phasesMs);
          this.readyMs.push(performance.now() - asked);
          return started;
        } catch (error) {
          // A snapshot that does not restore is made again for the next attempt (a bad one fails every restore).
          this.template.invalidate(template);
          throw new PythonIsolationError('Python could not start a fresh interpreter for this solution, so its code was not run.', {
            hint: 'Reload the page; if it persists, this browser cannot run the Python sandbox.',
            cause: error,
            details: { reason: error instanceof Error ? error.message : String(error) },
          });
        }
      },
      {
        ...(this.options.useInterrupt === undefined ? {} : { useInterrupt: this.options.useInterrupt }),
        ...(this.options.interruptGraceMs === undefined ? {} : { interruptGraceMs: this.options.interruptGraceMs }),
      },
    );
    return worker;
  }

  /** Keep `size` interpreters starting or ready for the next solutions. */
  private refill(): void {
    if (this.disposed) return;
    while (this.spares.length < this.size) {
      const spare = this.newInterpreter();
      spare.ensure().catch(() => {});
      this.spares.push(spare);
    }
  }

  /** A ready interpreter if there is one, else the one closest to ready, else a new one; the pool refills behind it. */
  private takeSpare(): SandboxWorker {
    const ready = this.spares.findIndex((s) => s.isReady);
    const worker = ready >= 0 ? this.spares.splice(ready, 1)[0]! : (this.spares.shift() ?? this.newInterpreter());
    this.refill();
    return worker;
  }

  private claim(session: string): Session {
    let entry = this.sessions.get(session);
    if (!entry) {
      if (this.disposed) throw new CancelledError('The Python pool was shut down.');
      const worker = this.takeSpare();
      entry = { worker, serial: new Serial(), lost: false };
      this.sessions.set(session, entry);
      const waited = performance.now();
      void entry.serial.run(() =>
        worker.ensure().then(
          () => this.claimWaitsMs.push(performance.now() - waited),
          () => {},
        ),
      );
    }
    return entry;
  }

  /**
   * Run a code block in a solution's session (its own interpreter). Resolves with a
   * result (errors included); rejects when cancelled, or with `PythonIsolationError`
   * when no isolated interpreter can be had.
   */
  run(session: string, code: string, options: RunOptions = {}): Promise<PythonRunResult> {
    const entry = this.claim(session);
    return entry.serial.run(() => this.execute(entry, session, code, options));
  }

  private async execute(entry: Session, session: string, code: string, options: RunOptions): Promise<PythonRunResult> {
    if (options.signal?.aborted) throw new CancelledError('The code run was cancelled.');
    await this.readyWorker(entry);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const maxOutputChars = options.maxOutputChars ?? this.options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    const { killed, ...result } = await entry.worker.run(session, code, { timeoutMs, maxOutputChars, ...(options.signal ? { signal: options.signal } : {}) });
    if (killed) {
      this.restarts += 1;
      entry.lost = true;
      return result;
    }
    if (entry.lost && result.error?.type === 'NameError') {
      entry.lost = false;
      result.output += '\n(Python was restarted after an earlier block ran too long, so earlier variables are gone.)';
    }
    if (result.error?.type === 'MemoryError') {
      // wasm memory never shrinks: a fresh interpreter gives the memory back.
      entry.worker.kill('restarted after the solution ran out of memory');
      this.restarts += 1;
      result.output += "\n(Memory ran out, so this solution's variables were cleared.)";
    }
    return result;
  }

  /** The solution is done: its interpreter is terminated (never reused). */
  async closeSession(session: string): Promise<void> {
    const entry = this.sessions.get(session);
    if (!entry) return;
    this.sessions.delete(session);
    await entry.serial.idle();
    entry.worker.dispose();
  }

  dispose(): void {
    this.disposed = true;
    for (const spare of this.spares.splice(0)) spare.dispose();
    for (const entry of this.sessions.values()) entry.worker.dispose();
    this.sessions.clear();
  }
}
