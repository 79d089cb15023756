/**
 * The model worker's logic, independent of how messages reach it: one loaded package,
 * generations run one at a time on its session, cancel by job id, unload to free memory.
 */
import type { GenerateRequest, GenerateResult, JobId, LoadModelOptions, ModelApi, ModelEvent, ModelInfo, ProgressEvent } from '../contracts.ts';
import { AppError } from '../common/errors.ts';
import { Serial } from '../common/serial.ts';
import { detectGpu } from '../common/env.ts';
import { BatchDecoder, greedyRecompute } from './decoder.ts';
import { generate } from './generate.ts';
import { loadModel, type LoadedModel } from './load.ts';
import { openOpfsStore } from './download.ts';
import { configureOrt } from './ort-web.ts';
import { destroyDevice } from './device-loss.ts';

export class ModelRuntime implements ModelApi {
  private model: LoadedModel | undefined;
  private readonly jobs = new Map<JobId, AbortController>();
  /** One generation at a time on the loaded model (each model call inside also waits for the session's own Serial). */
  private readonly queue = new Serial();

  async load(baseUrl: string, id: string, options: LoadModelOptions, onEvent: (event: ProgressEvent) => void): Promise<ModelInfo> {
    await this.unload();
    const started = performance.now();
    const store = await openOpfsStore();
    const model = await loadModel(baseUrl, id, await detectGpu(), onEvent, options, store);
    this.model = model;
    const { batch, context, totalBytes, reductions } = model.plan;
    return {
      id: model.manifest.id,
      title: model.manifest.title,
      device: model.device,
      dtype: model.variant.dtype,
      deviceReason: model.deviceReason,
      plan: { batch, context, totalBytes, reductions },
      loadMs: performance.now() - started,
    };
  }

  generate(request: GenerateRequest, onEvent: (event: ModelEvent) => void): Promise<GenerateResult> {
    const controller = new AbortController();
    this.jobs.set(request.jobId, controller);
    return this.exclusive(async () => {
      const model = this.loaded();
      const decoder = new BatchDecoder(model.ort, model.session, model.tokenizer, model.shape, model.device);
      try {
        // A lost GPU device rejects with GpuDeviceLostError; the client restarts this worker on WebAssembly.
        return await generate(decoder, request, onEvent, controller.signal);
      } finally {
        this.jobs.delete(request.jobId);
        await decoder.dispose();
      }
    });
  }

  simulateDeviceLoss(): Promise<boolean> {
    return this.model?.device === 'webgpu' ? destroyDevice(configureOrt()) : Promise.resolve(false);
  }

  greedyReference(prompt: string, steps: number): Promise<number[]> {
    return this.exclusive(() => {
      const model = this.loaded();
      return greedyRecompute(model.ort, model.session, model.shape, model.tokenizer.encode(prompt), steps);
    });
  }

  async cancel(jobId: JobId): Promise<void> {
    this.jobs.get(jobId)?.abort();
  }

  async unload(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    for (const job of this.jobs.values()) job.abort();
    await this.exclusive(async () => model?.session.release?.());
  }

  private loaded(): LoadedModel {
    if (!this.model) throw new AppError('No model is loaded.', { hint: 'Load a model first.' });
    return this.model;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }
}
