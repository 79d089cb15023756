/** Main-thread access to the model worker (model manager, benchmarks, tests). */
import * as Comlink from 'comlink';
import { WorkerBridge } from '../common/bridge.ts';
import { GpuDeviceLostError } from '../common/errors.ts';
import type { GenerateRequest, GenerateResult, LoadModelOptions, ModelApi, ModelEvent, ModelInfo, ProgressEvent } from '../contracts.ts';
// Named errors thrown in the worker are rebuilt with their classes on this side too.
import './manifest.ts';
import './memory-plan.ts';

export class ModelClient {
  private readonly bridge = new WorkerBridge<ModelApi>(
    () => new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' }),
    { name: 'The model', cancelGraceMs: 3_000 },
  );
  /** What the worker holds (and which worker: `WorkerBridge.starts`), so that a fresh worker can load it again. */
  private loaded: { baseUrl: string; id: string; options: LoadModelOptions; worker: number } | undefined;

  /** `baseUrl` is a path on this origin holding package folders, e.g. '/models/'. */
  async load(baseUrl: string, id: string, options: LoadModelOptions = {}, onEvent: (event: ProgressEvent) => void = () => {}, signal?: AbortSignal): Promise<ModelInfo> {
    this.loaded = undefined;
    const info = await this.bridge.call((api) => api.load(baseUrl, id, options, Comlink.proxy(onEvent)), signal);
    this.loaded = { baseUrl, id, options, worker: this.bridge.starts };
    return info;
  }

  /**
   * The worker that loaded the model is gone (terminated because a cancelled generation did not let go within
   * its grace time, or crashed): load the same model into the next one before using it.
   */
  private async reloadIfReplaced(signal?: AbortSignal): Promise<void> {
    const loaded = this.loaded;
    if (!loaded || (this.bridge.isRunning && this.bridge.starts === loaded.worker)) return;
    await this.load(loaded.baseUrl, loaded.id, loaded.options, () => {}, signal);
  }

  /**
   * Generate; when the GPU is lost mid-way, the worker (whose WebAssembly module a lost
   * device leaves unusable) is replaced by a fresh one on WebAssembly, a `restarted`
   * event says so, and the generation runs again from the start.
   */
  async generate(request: GenerateRequest, onEvent: (event: ModelEvent) => void = () => {}, signal?: AbortSignal): Promise<GenerateResult> {
    const run = () =>
      this.bridge.call((api) => api.generate(request, Comlink.proxy(onEvent)), signal, {
        cancel: (api) => api.cancel(request.jobId),
      });
    await this.reloadIfReplaced(signal);
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof GpuDeviceLostError) || !this.loaded) throw error;
      await this.restartOnCpu(onEvent, signal);
      onEvent({ type: 'restarted', device: 'wasm', reason: `${error.message} ${error.hint ?? ''}`.trim() });
      return run();
    }
  }

  private async restartOnCpu(onEvent: (event: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    const { baseUrl, id, options } = this.loaded!;
    this.bridge.restart('restarted after the GPU was lost');
    await this.load(baseUrl, id, { ...options, device: 'wasm' }, onEvent, signal);
  }

  async greedyReference(prompt: string, steps: number, signal?: AbortSignal): Promise<number[]> {
    await this.reloadIfReplaced(signal);
    return this.bridge.call((api) => api.greedyReference(prompt, steps), signal);
  }

  /** Destroy the worker's GPU device as a driver crash would (tests, diagnostics); false when none is in use. */
  simulateDeviceLoss(): Promise<boolean> {
    return this.bridge.call((api) => api.simulateDeviceLoss());
  }

  unload(): Promise<void> {
    this.loaded = undefined;
    return this.bridge.call((api) => api.unload());
  }

  dispose(): void {
    this.bridge.terminate();
  }
}
