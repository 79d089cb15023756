/**
 * The model worker's logic, independent of how messages reach it: one loaded package,
 * generations run one at a time on its session, decode sessions driven call by call by the
 * solver worker's solve loop, cancel by job id, unload to free memory.
 */
import type { GenerateRequest, GenerateResult, JobId, LoadModelOptions, ModelApi, ModelEvent, ModelInfo, ProgressEvent } from '../contracts.ts';
import type { SamplerSpec, StepOutput } from '../types.ts';
import { AppError } from '../common/errors.ts';
import { Serial } from '../common/serial.ts';
import { detectGpu } from '../common/env.ts';
import { BatchDecoder, greedyRecompute } from './decoder.ts';
import { generate } from './generate.ts';
import { loadModel, type LoadedModel } from './load.ts';
import { openOpfsStore, StorageFullError } from './download.ts';
import { configureOrt } from './ort-web.ts';
import { destroyDevice } from './device-loss.ts';

export class ModelRuntime implements ModelApi {
  private model: LoadedModel | undefined;
  private readonly jobs = new Map<JobId, AbortController>();
  /** One generation at a time on the loaded model (each model call inside also waits for the session's own Serial). */
  private readonly queue = new Serial();
  /** Open decode sessions on the loaded model, by number (`openDecoder`). */
  private readonly decoders = new Map<number, BatchDecoder>();
  private decodersOpened = 0;

  async load(baseUrl: string, id: string, options: LoadModelOptions, onEvent: (event: ProgressEvent) => void): Promise<ModelInfo> {
    await this.unload();
    const started = performance.now();
    const store = await openOpfsStore();
    const gpu = await detectGpu();
    const model = await loadModel(baseUrl, id, gpu, onEvent, options, store).catch((error: unknown) => {
      if (!(error instanceof StorageFullError)) throw error;
      // A full disk must not stop solving: run from memory, downloading again next visit.
      onEvent({ type: 'progress', stage: 'Storage is full: the model runs without being kept on this device' });
      return loadModel(baseUrl, id, gpu, onEvent, options);
    });
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
      solutionFormat: model.manifest.solutionFormat,
      ...(model.manifest.selection ? { selection: model.manifest.selection } : {}),
    };
  }

  async openDecoder(): Promise<number> {
    const model = this.loaded();
    const id = ++this.decodersOpened;
    // Its model calls wait for the session's one Serial (decoder.ts), beside generations and other decoders.
    this.decoders.set(id, new BatchDecoder(model.ort, model.session, model.tokenizer, model.shape, model.device));
    return id;
  }

  decoderStart(decoder: number, prompt: string, samplers: SamplerSpec[], options: { bos?: boolean }): Promise<void> {
    return this.decoder(decoder).start(prompt, samplers, options);
  }

  decoderStep(decoder: number): Promise<StepOutput> {
    return this.decoder(decoder).step();
  }

  async decoderPause(decoder: number, sequence: number): Promise<void> {
    this.decoder(decoder).pause(sequence);
  }

  decoderAppend(decoder: number, sequence: number, text: string): Promise<void> {
    return this.decoder(decoder).append(sequence, text);
  }

  decoderValue(decoder: number, sequence: number): Promise<number | null> {
    return this.decoder(decoder).value(sequence);
  }

  async decoderStop(decoder: number, sequence: number): Promise<void> {
    this.decoder(decoder).stop(sequence);
  }

  async decoderDispose(decoder: number): Promise<void> {
    const d = this.decoders.get(decoder);
    this.decoders.delete(decoder);
    await d?.dispose();
  }

  private decoder(id: number): BatchDecoder {
    const d = this.decoders.get(id);
    if (!d) throw new AppError('This decoding session has ended (its model was unloaded or replaced).', { hint: 'Try again.' });
    return d;
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
    const open = [...this.decoders.values()];
    this.decoders.clear();
    await Promise.allSettled(open.map((d) => d.dispose()));
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
