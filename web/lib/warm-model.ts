/** Loading the model and Python in the background, reported as one line of status for the page. */
import type { SolverClient } from '../../workers/solver/client.ts';
import { describeError } from '../../workers/common/errors.ts';

/** `onStage` hears each loading step, '' once ready, or the failure in words (not after `signal` aborts). */
export function warmModel(solver: SolverClient, modelId: string, onStage: (stage: string) => void, signal?: AbortSignal): void {
  solver.warm(modelId, (event) => onStage(event.stage), signal).then(
    () => onStage(''),
    (error: unknown) => {
      if (!signal?.aborted) onStage(`Could not prepare the model: ${describeError(error)}`);
    },
  );
}
