/**
 * The symbolic solver's TypeScript side: builds the request (LaTeX parsed to MathJSON here), runs
 * `tutor_symbolic.solve_json` in a trusted Python interpreter (one that generated code never touches),
 * and returns its outcome. It does not know how Python runs: the page passes TrustedPython's run, the
 * Node evaluation and tests pass the Interpreter's.
 */
import type { PythonRunResult, SymbolicOutcome } from '../contracts.ts';
import { symbolicRequest, type SymbolicRequest } from './request.ts';

export type TrustedRun = (code: string, options: { timeoutMs: number }) => Promise<PythonRunResult>;

/** Imports the rule modules (done once when the trusted interpreter starts, so the first problem does not pay for it). */
export const SYMBOLIC_IMPORT = 'import tutor_symbolic, tutor_symbolic.dispatch';

/** A problem of any supported type finishes well inside this on two cores; past it the model takes over. */
export const SYMBOLIC_TIMEOUT_MS = 8_000;

/** The Python program for one request: JSON in, JSON out (a JSON string is a valid Python string literal). */
export function symbolicProgram(request: SymbolicRequest): string {
  return `import tutor_symbolic\nprint(tutor_symbolic.solve_json(${JSON.stringify(JSON.stringify(request))}))`;
}

export async function solveSymbolic(problem: string, run: TrustedRun, timeoutMs = SYMBOLIC_TIMEOUT_MS): Promise<SymbolicOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let request: SymbolicRequest;
  try {
    request = symbolicRequest(problem);
  } catch (error) {
    return { status: 'parse-error', message: `Could not read the LaTeX (${String((error as Error).message ?? error)}).`, read: problem, position: null, durationMs: ms() };
  }
  const result = await run(symbolicProgram(request), { timeoutMs });
  if (result.timedOut) {
    return { status: 'timeout', message: `The step-by-step rules stopped after ${(timeoutMs / 1000).toFixed(0)} s without finishing; the model solves it instead.`, durationMs: ms() };
  }
  if (result.error) {
    return { status: 'failed', message: 'The step-by-step rules could not run on this problem; the model solves it instead.', durationMs: ms() };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(result.stdout.trim() || result.output.trim()) as Record<string, unknown>;
  } catch {
    return { status: 'failed', message: 'The step-by-step solution was too long to show; the model solves it instead.', durationMs: ms() };
  }
  return { ...(parsed as SymbolicOutcome), durationMs: ms() } as SymbolicOutcome;
}
