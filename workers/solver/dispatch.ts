/**
 * The one dispatch point between the two solvers: the symbolic solver answers a problem it recognises
 * and can explain; anything else goes to the model, with a note when the symbolic solver recognised the
 * problem but could not finish it. Transport-free: the service passes its trusted interpreter and its
 * model path, tests pass their own.
 */
import type { ModelResult, SolveRequest, SolveResult, SymbolicOutcome, SymbolicResult } from '../contracts.ts';
import { symbolicConfidence } from './confidence.ts';

/** What the page says when the model answers instead; undefined when the problem simply is not symbolic. */
export function symbolicNote(outcome: SymbolicOutcome): string | undefined {
  if (outcome.status === 'solved') return undefined;
  if (outcome.status === 'declined') {
    if (outcome.kind === 'not-recognised') return undefined;
    if (outcome.kind === 'bad-input') return `The step-by-step rules cannot answer this problem as written: ${outcome.reason} The model's attempt below is not the rules' answer.`;
    return `The step-by-step rules recognised this problem but could not finish it (${outcome.reason}); the model answers it instead.`;
  }
  if (outcome.status === 'parse-error') {
    const where = outcome.position === null ? '' : ` at character ${outcome.position + 1}`;
    return `${outcome.message} Read: "${outcome.read}"${where}. The model answers it instead.`;
  }
  return outcome.message;
}

/** A solved symbolic outcome as the solver's result: the steps, verified; no model, samples or selection. */
export function symbolicResult(request: SolveRequest, outcome: Extract<SymbolicOutcome, { status: 'solved' }>): SymbolicResult {
  const { status: _status, ...solution } = outcome;
  return { method: 'symbolic', question: request.question, solution, confidence: symbolicConfidence(), durationMs: outcome.durationMs };
}

export interface DispatchDeps {
  symbolic: (question: string) => Promise<SymbolicOutcome>;
  model: () => Promise<ModelResult>;
}

/** Symbolic first; the model when the rules decline, fail to parse, run out of time or fail. */
export async function dispatchSolve(request: SolveRequest, deps: DispatchDeps): Promise<SolveResult> {
  const outcome = await deps.symbolic(request.question).catch((error: unknown): SymbolicOutcome => ({ status: 'failed', message: `The step-by-step rules could not start (${String(error)}); the model answers instead.`, durationMs: 0 }));
  if (outcome.status === 'solved') return symbolicResult(request, outcome);
  const note = symbolicNote(outcome);
  const result = await deps.model();
  return note ? { ...result, symbolicNote: note } : result;
}
