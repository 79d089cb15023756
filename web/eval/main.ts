/**
 * The evaluation page (web/eval.html), driven by scripts/eval-chromium.ts: the app's own
 * SolverClient (solver worker, ONNX Runtime Web, the sandboxed Python pool) solving one
 * problem per call. Not linked from the app and not a build input: the dev server serves it.
 */
import { SolverClient } from '../../workers/solver/client.ts';
import type { SolveRequest, SolveResult, SolverEvent } from '../../workers/contracts.ts';

export interface EvalPageApi {
  /** Loads the model and starts Python; resolves when both are ready. */
  warm(modelId: string): Promise<void>;
  /** Solves one problem; `seconds` is the wall time of the solve as the page saw it. */
  solve(request: SolveRequest): Promise<{ result: SolveResult; seconds: number; restarts: number }>;
  isolated(): boolean;
}

declare global {
  interface Window {
    mathTutorEval?: EvalPageApi;
  }
}

const client = new SolverClient();
const status = document.getElementById('status');

window.mathTutorEval = {
  warm: (modelId) =>
    client.warm(modelId, (event) => {
      if (status) status.textContent = event.stage;
    }),
  async solve(request) {
    let restarts = 0;
    const started = performance.now();
    const result = await client.solve(request, (event: SolverEvent) => {
      if (event.type === 'restarted') restarts += 1;
    });
    return { result, seconds: (performance.now() - started) / 1000, restarts };
  },
  isolated: () => crossOriginIsolated,
};
if (status) status.textContent = 'ready';
