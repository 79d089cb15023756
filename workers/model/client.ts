/**
 * Access to the model worker, which holds the ONNX Runtime session: from the solver worker (its solve loop
 * decodes through `openDecoder`, so creating a session or running the model never blocks the symbolic solver's
 * answers), and from the page for benchmarks and tests.
 */
import * as Comlink from 'comlink';
import { WorkerBridge } from '../common/bridge.ts';
import { AppError, GpuDeviceLostError } from '../common/errors.ts';
import type { GenerateRequest, GenerateResult, LoadModelOptions, ModelApi, ModelEvent, ModelInfo, ProgressEvent } from '../contracts.ts';
import type { DecodeSession } from '../types.ts';
// Named errors thrown in the worker are rebuilt with their classes on this side too.
import './manifest.ts';
import './memory-plan.ts';

export class ModelClient {
  private readonly bridge = new WorkerBridge<ModelApi>(
    () => new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' }),
    { name: 'The model', cancelGraceMs: 3_000 },
  );
  /** What the worker holds (and which worker: `WorkerBridge.starts`), so that a fresh worker can load it again. */
  private loaded: { baseUrl: string; id: string; options: LoadModelOptions; worker: number; info: ModelInfo } | undefined;

  /** `baseUrl` is a path on this origin holding package folders, e.g. '/models/'. */
  async load(baseUrl: string, id: string, options: LoadModelOptions = {}, onEvent: (event: ProgressEvent) => void = () => {}, signal?: AbortSignal): Promise<ModelInfo> {
    this.loaded = undefined;
    const info = await this.bridge.call((api) => api.load(baseUrl, id, options, Comlink.proxy(onEvent)), signal);
    this.loaded = { baseUrl, id, options, worker: this.bridge.starts, info };
    return info;
  }

  /**
   * A batched decode session on the loaded model, each call one message to the model worker. Calls are sent in
   * the order they are made and the worker handles them in that order, so `pause` and `stop` (which do not wait)
   * take effect before the next `step`.
   *
   * When a call finds the GPU lost, the model worker is let go at once: a lost device can leave its thread
   * waiting on the GPU for ever, and a message to it would never be answered. The session's later calls reject
   * with the same error (`dispose` resolves), and the next use of this client loads the model again on
   * WebAssembly.
   */
  async openDecoder(signal?: AbortSignal): Promise<DecodeSession> {
    await this.reloadIfReplaced(signal);
    if (!this.loaded) throw new AppError('No model is loaded.', { hint: 'Load a model first.' });
    const { device } = this.loaded.info;
    const worker = this.bridge.starts;
    let ended: Error | undefined;
    const call = async <R>(fn: (api: Comlink.Remote<ModelApi>) => Promise<R>): Promise<R> => {
      if (ended) throw ended;
      if (this.bridge.starts !== worker) throw new AppError('This decoding session ended with the model worker that held it.', { hint: 'Try again.' });
      try {
        return await this.bridge.call(fn);
      } catch (error) {
        if (error instanceof GpuDeviceLostError && !ended) {
          ended = error;
          if (this.loaded?.worker === worker) this.loaded = { ...this.loaded, options: { ...this.loaded.options, device: 'wasm' } };
          if (this.bridge.starts === worker) this.bridge.restart('restarted after the GPU was lost');
        }
        throw error;
      }
    };
    const id = await call((api) => api.openDecoder());
    // pause and stop return nothing the loop waits for; a failure shows in the next call that does wait.
    const send = (fn: (api: Comlink.Remote<ModelApi>) => Promise<void>) => void call(fn).catch(() => {});
    return {
      device,
      start: (prompt, samplers, options = {}) => call((api) => api.decoderStart(id, prompt, samplers, options)),
      step: () => call((api) => api.decoderStep(id)),
      pause: (sequence) => send((api) => api.decoderPause(id, sequence)),
      append: (sequence, text) => call((api) => api.decoderAppend(id, sequence, text)),
      value: (sequence) => call((api) => api.decoderValue(id, sequence)),
      stop: (sequence) => send((api) => api.decoderStop(id, sequence)),
      // Nothing is left to free once the worker that held the session is gone.
      dispose: async () => {
        if (!ended && this.bridge.starts === worker && this.bridge.isRunning) await call((api) => api.decoderDispose(id));
      },
    };
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
