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

/** Problems of the common kinds, solved once before the interpreter's snapshot is taken (see SNAPSHOT_IMPORTS). */
const WARM_UP = ['Solve for t: 5t + 2 = 3t - 8', 'Solve y^2 - 7y + 10 = 0', 'Find the derivative of u^3 + 4u', 'Simplify (a^2 - 4)/(a - 2)', 'What is 3/4 + 1/6?'];

/** A problem of any supported type finishes well inside this on two cores; past it the model takes over. */
export const SYMBOLIC_TIMEOUT_MS = 8_000;

/** The Python program for one request: JSON in, JSON out (a JSON string is a valid Python string literal). */
export function symbolicProgram(request: SymbolicRequest): string {
  return `import tutor_symbolic\nprint(tutor_symbolic.solve_json(${JSON.stringify(JSON.stringify(request))}))`;
}

/**
 * What the snapshot every interpreter restores from runs before it is taken: the symbolic solver imported, then the
 * warm-up problems solved, so that what sympy imports and builds on a first solve is in the snapshot (a restored
 * interpreter's first symbolic answer took ~1 s without it, ~0.2 s with it). Only the app's own Python.
 */
export const SNAPSHOT_IMPORTS = [SYMBOLIC_IMPORT, ...WARM_UP.map((text) => symbolicProgram(symbolicRequest(text)))].join('\n');

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
