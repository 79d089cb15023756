/** The solver worker: hosts the model and the Python pool; the UI thread only sees batched events. */
import * as Comlink from 'comlink';
import { UnsupportedError } from '../common/errors.ts';
import type { SolverApi } from '../contracts.ts';
import { SolverService } from './service.ts';

const service = new SolverService({ modelsBaseUrl: `${import.meta.env.BASE_URL}models/` });

async function packages() {
  const manager = await service.packages();
  if (!manager) throw new UnsupportedError('This browser does not let the tutor keep model files here (no origin private file system, or a frame on another site).', { hint: 'Models are downloaded again on each visit.' });
  return manager;
}

const api: SolverApi = {
  warm: (modelId, onEvent) => service.warm(modelId, onEvent),
  solve: (request, onEvent) => service.solve(request, onEvent),
  cancel: (jobId) => service.cancel(jobId),
  symbolicEqual: (a, b) => service.symbolicEqual(a, b),
  storedModels: async () => (await packages()).list(),
  downloadModel: async (source, jobId, onEvent) => (await packages()).download(source, jobId, onEvent),
  deleteModel: async (id) => (await packages()).remove(id),
  preferDevice: (device) => service.preferDevice(device),
  simulateDeviceLoss: () => service.simulateDeviceLoss(),
  pythonStatus: () => service.pythonStatus(),
};

Comlink.expose(api);
