import type { ModelResult, SolveResult } from '../../workers/contracts.ts';

/** The result as a model result; a symbolic one fails the test (the problem was meant for the model). */
export function modelResult(result: SolveResult): ModelResult {
  if (result.method !== 'model') throw new Error(`expected the model to answer "${result.question}", but the ${result.method} solver did`);
  return result;
}
