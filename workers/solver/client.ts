/** Main-thread access to the solver worker. The UI only ever talks to this. */
import * as Comlink from 'comlink';
import { WorkerBridge } from '../common/bridge.ts';
import type { ProgressEvent, SolveRequest, SolveResult, SolverApi, SolverEvent } from '../contracts.ts';

export class SolverClient {
  private readonly bridge = new WorkerBridge<SolverApi>(
    () => new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module', name: 'solver' }),
    { name: 'The solver', cancelGraceMs: 3_000 },
  );

  /** Load the model and Python in the background. */
  warm(modelId: string, onEvent: (event: ProgressEvent) => void, signal?: AbortSignal): Promise<void> {
    return this.bridge.call((api) => api.warm(modelId, Comlink.proxy(onEvent)), signal);
  }

  solve(request: SolveRequest, onEvent: (event: SolverEvent) => void, signal?: AbortSignal): Promise<SolveResult> {
    return this.bridge.call((api) => api.solve(request, Comlink.proxy(onEvent)), signal, {
      cancel: (api) => api.cancel(request.jobId),
    });
  }

  symbolicEqual(a: string, b: string): Promise<boolean | undefined> {
    return this.bridge.call((api) => api.symbolicEqual(a, b));
  }

  dispose(): void {
    this.bridge.terminate();
  }
}
