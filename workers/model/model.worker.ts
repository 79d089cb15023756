/** The model worker: a model package on ONNX Runtime Web, decoded with the batched loop. */
import * as Comlink from 'comlink';
import '../common/errors.ts';
import './manifest.ts';
import './memory-plan.ts';
import type { ModelApi } from '../contracts.ts';
import { ModelRuntime } from './runtime.ts';

const runtime = new ModelRuntime();

const api: ModelApi = {
  load: (baseUrl, id, options, onEvent) => runtime.load(baseUrl, id, options, onEvent),
  generate: (request, onEvent) => runtime.generate(request, onEvent),
  greedyReference: (prompt, steps) => runtime.greedyReference(prompt, steps),
  cancel: (jobId) => runtime.cancel(jobId),
  unload: () => runtime.unload(),
  simulateDeviceLoss: () => runtime.simulateDeviceLoss(),
  openDecoder: () => runtime.openDecoder(),
  decoderStart: (decoder, prompt, samplers, options) => runtime.decoderStart(decoder, prompt, samplers, options),
  decoderStep: (decoder) => runtime.decoderStep(decoder),
  decoderPause: (decoder, sequence) => runtime.decoderPause(decoder, sequence),
  decoderAppend: (decoder, sequence, text) => runtime.decoderAppend(decoder, sequence, text),
  decoderValue: (decoder, sequence) => runtime.decoderValue(decoder, sequence),
  decoderStop: (decoder, sequence) => runtime.decoderStop(decoder, sequence),
  decoderDispose: (decoder) => runtime.decoderDispose(decoder),
};

Comlink.expose(api);
