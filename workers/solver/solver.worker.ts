/** The solver worker: hosts the model and the Python pool; the UI thread only sees batched events. */
import * as Comlink from 'comlink';
import '../common/errors.ts';
import type { SolverApi } from '../contracts.ts';
import { SolverService } from './service.ts';

const service = new SolverService({ modelsBaseUrl: `${import.meta.env.BASE_URL}models/` });

const api: SolverApi = {
  warm: (modelId, onEvent) => service.warm(modelId, onEvent),
  solve: (request, onEvent) => service.solve(request, onEvent),
  cancel: (jobId) => service.cancel(jobId),
  symbolicEqual: (a, b) => service.symbolicEqual(a, b),
  preferDevice: (device) => service.preferDevice(device),
  simulateDeviceLoss: () => service.simulateDeviceLoss(),
};

Comlink.expose(api);
