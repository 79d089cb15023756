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
};

Comlink.expose(api);
