/** Main-thread access to the model worker (model manager, benchmarks, tests). */
import * as Comlink from 'comlink';
import { WorkerBridge } from '../common/bridge.ts';
import type { GenerateRequest, GenerateResult, LoadModelOptions, ModelApi, ModelEvent, ModelInfo, ProgressEvent } from '../contracts.ts';
// Named errors thrown in the worker are rebuilt with their classes on this side too.
import './manifest.ts';
import './memory-plan.ts';

export class ModelClient {
  private readonly bridge = new WorkerBridge<ModelApi>(
    () => new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' }),
    { name: 'The model', cancelGraceMs: 3_000 },
  );

  /** `baseUrl` is a path on this origin holding package folders, e.g. '/models/'. */
  load(baseUrl: string, id: string, options: LoadModelOptions = {}, onEvent: (event: ProgressEvent) => void = () => {}, signal?: AbortSignal): Promise<ModelInfo> {
    return this.bridge.call((api) => api.load(baseUrl, id, options, Comlink.proxy(onEvent)), signal);
  }

  generate(request: GenerateRequest, onEvent: (event: ModelEvent) => void = () => {}, signal?: AbortSignal): Promise<GenerateResult> {
    return this.bridge.call((api) => api.generate(request, Comlink.proxy(onEvent)), signal, {
      cancel: (api) => api.cancel(request.jobId),
    });
  }

  greedyReference(prompt: string, steps: number, signal?: AbortSignal): Promise<number[]> {
    return this.bridge.call((api) => api.greedyReference(prompt, steps), signal);
  }

  unload(): Promise<void> {
    return this.bridge.call((api) => api.unload());
  }

  dispose(): void {
    this.bridge.terminate();
  }
}
