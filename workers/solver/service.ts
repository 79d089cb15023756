/**
 * What the solver worker does, independent of how messages reach it: keeps the model (in the model
 * worker, workers/model/client.ts) and the Python pool warm, runs the solve loop, cancels, and grades
 * symbolically.
 */
import type { JobId, ModelInfo, ProgressEvent, PythonStatus, SolveRequest, SolveResult, SolverEvent } from '../contracts.ts';
import { CancelledError } from '../common/errors.ts';
import { detectGpu } from '../common/env.ts';
import { ModelClient } from '../model/client.ts';
import { openOpfsStore } from '../model/download.ts';
import { PackageManager } from '../model/packages.ts';
import { parseRegistry } from '../model/registry.ts';
import registryJson from '../../models/registry.json';

const REGISTRY = parseRegistry(registryJson);
import { PythonPool } from '../python/pool.ts';
import { TrustedPython } from '../python/trusted.ts';
import { PythonTemplate } from '../python/template.ts';
import { SnapshotStore } from '../python/snapshot-store.ts';
import { sympyEqualityProgram } from './equivalence.ts';
import { FORMATS } from './formats.ts';
import { runSolveLoop } from './loop.ts';
import { dispatchSolve } from './dispatch.ts';
import { SNAPSHOT_IMPORTS, solveSymbolic, SYMBOLIC_IMPORT } from '../symbolic/solver.ts';

export interface ServiceOptions {
  modelsBaseUrl: string;
  pythonPoolSize?: number;
  /** IndexedDB database the interpreter snapshot is kept in between visits (default snapshot-store.ts's). */
  snapshotDb?: string;
  /** How long the symbolic solver may try before the model takes over (default SYMBOLIC_TIMEOUT_MS). */
  symbolicTimeoutMs?: number;
}

export class SolverService {
  /**
   * The model worker: the ONNX Runtime session lives there, so that creating it (seconds) or running it never
   * keeps this worker, through which every symbolic answer reaches the page, busy.
   */
  private readonly models = new ModelClient();
  private model: { id: string; loading: Promise<ModelInfo> } | undefined;
  /** The sandbox interpreters of generated code (tests drive scripted solutions through it). */
  readonly pool: PythonPool;
  /** The app's own Python (grader, symbolic solver): generated code never runs there. */
  private readonly trusted: TrustedPython;
  /** The trusted interpreter started with the symbolic solver imported. */
  private trustedReady: Promise<void> | undefined;
  private readonly jobs = new Map<JobId, AbortController>();
  private device: 'webgpu' | 'wasm' | undefined;

  /** Model files kept in the origin private file system (none where the browser refuses it, e.g. in a frame on another site). */
  private readonly store = openOpfsStore();
  private readonly packageManager = this.store.then((store) => (store ? new PackageManager(store, detectGpu) : undefined));

  constructor(private readonly options: ServiceOptions) {
    // One snapshot for both: the trusted interpreter restores it (or makes it, on a first visit), the pool's restore it.
    const template = new PythonTemplate({ imports: SNAPSHOT_IMPORTS, store: new SnapshotStore(options.snapshotDb) });
    // One ready interpreter per sample of a default solve (8), so no solution waits for its own.
    this.pool = new PythonPool({ size: options.pythonPoolSize ?? 8, template });
    this.trusted = new TrustedPython({ template });
  }

  /** The model manager's operations; undefined where this browser keeps no model files. */
  packages(): Promise<PackageManager | undefined> {
    return this.packageManager;
  }

  private loaded(id: string, onEvent: (e: ProgressEvent) => void): Promise<ModelInfo> {
    if (this.model?.id !== id) {
      // A registry model may live anywhere (a mirror, the hub); unknown ids are looked up under modelsBaseUrl.
      const source = REGISTRY.find((m) => m.id === id)?.source;
      const options = { ...(this.device ? { device: this.device } : {}), ...(source ? { source: new URL(source, self.location.href).href } : {}) };
      // onEvent may itself be the page's proxy: the model worker gets a plain function of this worker's to call.
      const loading = this.models.load(new URL(this.options.modelsBaseUrl, self.location.href).href, id, options, (e) => onEvent(e));
      this.model = { id, loading };
      loading.catch(() => {
        if (this.model?.loading === loading) this.model = undefined;
      });
    }
    return this.model.loading;
  }

  /**
   * Starts what solving needs, most urgent first on a device with few cores, one after the other: the trusted
   * interpreter with the symbolic solver imported (it answers first, and needs nothing else; on a return visit
   * it is restored from the kept snapshot), then the model, then the sandbox's interpreters for the model's code
   * (not while a symbolic attempt runs). Nothing the symbolic solver needs waits for the model or the sandbox.
   */
  private warmTrusted(): Promise<void> {
    this.trustedReady ??= this.trusted.run(SYMBOLIC_IMPORT, { timeoutMs: 60_000 }).then((r) => {
      if (r.error) throw new Error(`${r.error.type}: ${r.error.message}`);
      // One line for whoever looks at the console (and the cold-start benchmark): how Python started on this visit.
      const { template } = this.trusted;
      console.info(`Python started: snapshot ${template.source}, storage ${template.storage}, lookup ${template.lookupMs ?? '-'} ms, start ${this.trusted.startMs.join('/')} ms`);
    });
    this.trustedReady.catch(() => (this.trustedReady = undefined));
    return this.trustedReady;
  }

  /**
   * The model, loaded once the trusted interpreter has started (or failed to) and no symbolic attempt is running:
   * on a device with few cores, reading, verifying and creating a session of a model takes the cores the symbolic
   * solver's first answer needs. A symbolic problem asked while the model loads does not wait for the load.
   */
  private loadedAfterTrusted(id: string, onEvent: (e: ProgressEvent) => void): Promise<ModelInfo> {
    return this.warmTrusted().catch(() => {}).then(() => this.symbolicIdle()).then(() => this.loaded(id, onEvent));
  }

  /** Symbolic attempts running now: the model's load and the sandbox's restores (8 interpreters) wait for them. */
  private readonly symbolicAttempts = new Set<Promise<unknown>>();

  private async symbolicIdle(): Promise<void> {
    while (this.symbolicAttempts.size) await Promise.allSettled([...this.symbolicAttempts]);
  }

  private warmSandbox(model: Promise<unknown>): Promise<void> {
    const sandbox = model.catch(() => {}).then(() => this.symbolicIdle()).then(() => this.pool.warm());
    sandbox.catch(() => {});
    return sandbox;
  }

  async warm(modelId: string, onEvent: (e: ProgressEvent) => void): Promise<void> {
    const trusted = this.warmTrusted();
    const model = this.loadedAfterTrusted(modelId, onEvent);
    const sandbox = this.warmSandbox(model);
    await model;
    onEvent({ type: 'progress', stage: 'Starting Python' });
    await trusted;
    await sandbox;
  }

  async solve(request: SolveRequest, onEvent: (e: SolverEvent) => void): Promise<SolveResult> {
    const controller = new AbortController();
    this.jobs.set(request.jobId, controller);
    try {
      // The model and then the sandbox start loading as soon as the symbolic solver is done (it answers first).
      const loading = this.loadedAfterTrusted(request.modelId, onEvent);
      loading.catch(() => {});
      void this.warmSandbox(loading);
      return await dispatchSolve(request, {
        symbolic: (question) => {
          const attempt = solveSymbolic(question, (code, options) => this.trusted.run(code, { ...options, signal: controller.signal }), this.options.symbolicTimeoutMs);
          this.symbolicAttempts.add(attempt);
          void attempt.finally(() => this.symbolicAttempts.delete(attempt)).catch(() => {});
          return attempt;
        },
        model: async () => {
          const model = await loading;
          // Decoding starts at once, while the sandbox may still restore interpreters: a solution's first code block
          // waits for its own interpreter (pool.ts). Model calls of every decoder of this session are serialized
          // (decoder.ts: the session's one Serial, in the model worker), so two solves never run the session at once.
          if (controller.signal.aborted) throw new CancelledError('Solving was stopped.');
          const decoder = await this.models.openDecoder(controller.signal);
          return runSolveLoop(request, {
            format: FORMATS[model.solutionFormat],
            decoder,
            python: this.pool,
            ...(model.selection ? { packageSelection: model.selection } : {}),
            emit: onEvent,
            signal: controller.signal,
          });
        },
      });
    } finally {
      this.jobs.delete(request.jobId);
    }
  }

  async preferDevice(device: 'webgpu' | 'wasm' | null): Promise<void> {
    if ((device ?? undefined) === this.device) return;
    this.device = device ?? undefined;
    this.model = undefined;
  }

  async simulateDeviceLoss(): Promise<boolean> {
    const model = await this.model?.loading.catch(() => undefined);
    return model?.device === 'webgpu' ? this.models.simulateDeviceLoss() : false;
  }

  async cancel(jobId: JobId): Promise<void> {
    (await this.packageManager)?.cancel(jobId);
    this.jobs.get(jobId)?.abort();
  }

  async pythonStatus(): Promise<PythonStatus> {
    const { trusted, pool } = this;
    const error = trusted.template.storageError;
    return {
      template: trusted.template.source,
      storage: trusted.template.storage,
      ...(error ? { storageError: error } : {}),
      trustedStarts: { ...this.trusted.starts },
      timings: { ...(trusted.template.lookupMs === undefined ? {} : { lookupMs: trusted.template.lookupMs }), trustedStartMs: [...trusted.startMs] },
      pool: {
        workersMade: pool.workersMade, interpreterStarts: pool.interpreterStarts, restoreFailures: pool.restoreFailures,
        rerouted: pool.rerouted, restarts: pool.restarts, openSessions: pool.openSessions, liveWorkers: pool.liveWorkers,
      },
    };
  }

  /** Dispose of the interpreters (tests; a worker's end does this for the page). */
  dispose(): void {
    this.pool.dispose();
    this.trusted.dispose();
    this.models.dispose();
  }

  async symbolicEqual(a: string, b: string): Promise<boolean | undefined> {
    const result = await this.trusted.run(sympyEqualityProgram(a, b), { timeoutMs: 5_000 });
    const out = result.output.trim();
    return out === 'True' ? true : out === 'False' ? false : undefined;
  }
}
