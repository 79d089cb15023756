/**
 * The dispatch point (workers/solver/dispatch.ts) with the real symbolic solver on Pyodide in Node: a problem
 * the rules explain never reaches the model and its result is a symbolic one (steps, no samples, no selection, no
 * device); anything else goes to the model, with a note when the rules recognised the problem but could not finish it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelResult, SolveRequest, SolveResult } from '../../workers/contracts.ts';
import { dispatchSolve } from '../../workers/solver/dispatch.ts';
import { nodeTrustedPython, type NodePython } from '../../workers/symbolic/node-python.ts';
import { solveSymbolic } from '../../workers/symbolic/solver.ts';

let python: NodePython;
beforeAll(async () => {
  python = await nodeTrustedPython();
}, 180_000);
afterAll(async () => python?.close());

const request = (question: string): SolveRequest =>
  ({ jobId: 'j', question, modelId: 'demo-mario-tiny', settings: { samples: 4, greedy: true, temperature: 0.7, topP: 0.95, maxNewTokens: 256, timeLimitMs: 60_000, codeTimeoutMs: 10_000, strategy: 'majority', earlyStop: false, seed: 1 } }) as unknown as SolveRequest;

/** Stands in for the model path: records that it was asked, answers with a model-shaped result. */
function modelPath() {
  const calls: string[] = [];
  return {
    calls,
    run: (question: string) => async (): Promise<ModelResult> => {
      calls.push(question);
      return { method: 'model', question, modelId: 'demo-mario-tiny', format: 'mario', samples: [], stoppedEarly: 0, durationMs: 1 } as unknown as ModelResult;
    },
  };
}

/** The note of a model result (a symbolic result has none). */
const noteOf = (result: SolveResult): string | undefined => (result.method === 'model' ? result.symbolicNote : undefined);

describe('dispatch', () => {
  it('answers a symbolic problem without the model, with its steps and nothing of a model solve', async () => {
    const model = modelPath();
    const q = 'Solve for $x$: $3x - 7 = 2x + 5$';
    const result = await dispatchSolve(request(q), { symbolic: (t) => solveSymbolic(t, python.run), model: model.run(q) });
    expect(model.calls).toEqual([]);
    if (result.method !== 'symbolic') throw new Error(`expected a symbolic result, got ${result.method}`);
    expect(result.solution.answer).toBe('12');
    expect(result.solution.steps.at(-1)?.rule).toBe('check');
    expect(result.confidence.level).toBe('verified');
    // Nothing of a model solve is imitated: no format, device, settings, samples or selection.
    expect(Object.keys(result).sort()).toEqual(['confidence', 'durationMs', 'method', 'question', 'solution']);
  });

  it('sends a word problem to the model without a note', async () => {
    const model = modelPath();
    const q = 'A jacket costs $80. It is on sale for 35% off. What does it cost now?';
    const result = await dispatchSolve(request(q), { symbolic: (t) => solveSymbolic(t, python.run), model: model.run(q) });
    expect(model.calls).toEqual([q]);
    expect(result.method).toBe('model');
    expect(noteOf(result)).toBeUndefined();
  });

  it('notes a recognised problem the rules could not finish, and a parse failure, then asks the model', async () => {
    const model = modelPath();
    const trig = 'Solve sin(x) = 1/2';
    const a = await dispatchSolve(request(trig), { symbolic: (t) => solveSymbolic(t, python.run), model: model.run(trig) });
    expect(a.method).toBe('model');
    expect(noteOf(a)).toMatch(/recognised this problem but could not finish it \(trigonometric equations/);
    const bad = 'x +* 2';
    const b = await dispatchSolve(request(bad), { symbolic: (t) => solveSymbolic(t, python.run), model: model.run(bad) });
    expect(noteOf(b)).toMatch(/Read: "x \+\* 2" at character 4/);
    expect(model.calls).toEqual([trig, bad]);
  });

  it('reads the decline kind, not the sentence: bad input says what is wrong and that the model answer is not the rules\'', async () => {
    const model = modelPath();
    const q = 'Find the area of a circle with radius -3.';
    const outcome = await solveSymbolic(q, python.run);
    expect(outcome).toMatchObject({ status: 'declined', kind: 'bad-input' });
    const result = await dispatchSolve(request(q), { symbolic: async () => outcome, model: model.run(q) });
    expect(result.method).toBe('model');
    expect(noteOf(result)).toMatch(/cannot answer this problem as written: A radius must be a positive length; -3 is not\. The model's attempt below is not the rules' answer\./);
    // The same sentence with another kind is read by its kind: not-recognised gets no note.
    const silent = await dispatchSolve(request(q), { symbolic: async () => ({ ...outcome, kind: 'not-recognised' }) as typeof outcome, model: model.run(q) });
    expect(noteOf(silent)).toBeUndefined();
  });
});
