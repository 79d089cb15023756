/** Main-thread access to the solver worker. The UI only ever talks to this. */
import * as Comlink from 'comlink';
import { WorkerBridge } from '../common/bridge.ts';
import { GpuDeviceLostError } from '../common/errors.ts';
import type { ProgressEvent, PythonStatus, SampleRecord, StoredModel, SolveRequest, SolveResult, SolverApi, SolverEvent } from '../contracts.ts';

export class SolverClient {
  private readonly bridge = new WorkerBridge<SolverApi>(
    () => new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module', name: 'solver' }),
    { name: 'The solver', cancelGraceMs: 3_000 },
  );
  /** The device every worker loads models on (set after a lost GPU, or by `preferDevice`); undefined: automatic. */
  private device: 'webgpu' | 'wasm' | undefined;
  /** The worker (by `bridge.starts`) that was last told `device`. */
  private toldWorker = 0;

  /** Load the model and Python in the background. */
  warm(modelId: string, onEvent: (event: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    return this.call((api) => api.warm(modelId, Comlink.proxy(onEvent)), signal);
  }

  /**
   * Solve one problem. When the GPU is lost mid-way, the worker (whose WebAssembly
   * module a lost device leaves unusable) is replaced by one on WebAssembly; the
   * solutions already finished are kept, a `restarted` event names them, and the
   * others start over.
   */
  async solve(request: SolveRequest, onEvent: (event: SolverEvent) => void, signal?: AbortSignal): Promise<SolveResult> {
    const run = (req: SolveRequest) =>
      // Comlink's Remote spreads a union over promises (Promise<A> | Promise<B>): the call is typed with the result itself.
      this.call<SolveResult>((api) => api.solve(req, Comlink.proxy(onEvent)) as Promise<SolveResult>, signal, { cancel: (api) => api.cancel(req.jobId) });
    try {
      return await run(request);
    } catch (error) {
      if (!(error instanceof GpuDeviceLostError) || this.device === 'wasm') throw error;
      const finished = (error.details?.finished as SampleRecord[] | undefined) ?? [];
      this.preferDevice('wasm');
      this.bridge.restart('restarted after the GPU was lost');
      onEvent({ type: 'restarted', device: 'wasm', reason: `${error.message} ${error.hint ?? ''}`.trim(), kept: finished.map((r) => r.sample) });
      return run({ ...request, resume: [...(request.resume ?? []), ...finished] });
    }
  }

  storedModels(): Promise<StoredModel[]> {
    return this.call((api) => api.storedModels());
  }

  /** Download a package for this device; aborting `signal` pauses it (a later call resumes). */
  downloadModel(source: string, onEvent: (event: ProgressEvent) => void, signal?: AbortSignal): Promise<StoredModel> {
    const jobId = `download-${Math.random().toString(36).slice(2)}`;
    return this.call((api) => api.downloadModel(source, jobId, Comlink.proxy(onEvent)), signal, { cancel: (api) => api.cancel(jobId) });
  }

  deleteModel(id: string): Promise<void> {
    return this.call((api) => api.deleteModel(id));
  }

  symbolicEqual(a: string, b: string): Promise<boolean | undefined> {
    return this.call((api) => api.symbolicEqual(a, b));
  }

  /** Load models on this device from now on, in this worker and any later one (tests, diagnostics; undefined: automatic). */
  preferDevice(device: 'webgpu' | 'wasm' | undefined): void {
    this.device = device;
    this.toldWorker = 0;
  }

  /** Destroy the solver's GPU device as a driver crash would (tests, diagnostics); false when none is in use. */
  simulateDeviceLoss(): Promise<boolean> {
    return this.bridge.call((api) => api.simulateDeviceLoss());
  }

  /** How Python started on this visit and what its interpreters did (tests, benchmarks, diagnostics). */
  pythonStatus(): Promise<PythonStatus> {
    return this.bridge.call((api) => api.pythonStatus());
  }

  dispose(): void {
    this.bridge.terminate();
  }

  /** The first call on each worker first tells it the device to use. */
  private call<R>(fn: (api: Comlink.Remote<SolverApi>) => Promise<R>, signal?: AbortSignal, options?: Parameters<WorkerBridge<SolverApi>['call']>[2]): Promise<R> {
    return this.bridge.call(async (api) => {
      if (this.toldWorker !== this.bridge.starts) {
        this.toldWorker = this.bridge.starts;
        await api.preferDevice(this.device ?? null);
      }
      return fn(api);
    }, signal, options);
  }
}
