/**
 * The one view of a finished solve (web/lib/result-view.ts) and the history entry built on it, from real results:
 * the symbolic solver on Pyodide through the dispatch point, and the solve loop with the real demo model (ONNX
 * Runtime's CPU backend) and real Python. The answer shown, the history's answer and the embed's are shownAnswer's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelResult, SolveRequest } from '../../workers/contracts.ts';
import { FORMATS } from '../../workers/formats.ts';
import { shownAnswer } from '../../workers/solver/confidence.ts';
import { dispatchSolve } from '../../workers/solver/dispatch.ts';
import { runSolveLoop } from '../../workers/solver/loop.ts';
import { nodeTrustedPython, type NodePython } from '../../workers/symbolic/node-python.ts';
import { solveSymbolic } from '../../workers/symbolic/solver.ts';
import { resultView } from '../../web/lib/result-view.ts';
import { solvedEntry, startedEntry } from '../../web/lib/history-entry.ts';
import { DEFAULT_SETTINGS } from '../../web/lib/defaults.ts';
import { DEMO_ID, loadDemoModel, type DemoModel } from '../support/demo-model.ts';
import { DEMO_ANSWER, DEMO_PROBLEM } from '../support/demo-problem.ts';

let python: NodePython;
let demo: DemoModel;
beforeAll(async () => {
  [python, demo] = await Promise.all([nodeTrustedPython(), loadDemoModel()]);
}, 180_000);
afterAll(async () => python?.close());

const { modelId: _id, declinedModels: _declined, ...settings } = DEFAULT_SETTINGS;
const request = (question: string, overrides: Partial<SolveRequest['settings']> = {}): SolveRequest => ({ jobId: `j-${Math.random()}`, question, modelId: DEMO_ID, settings: { ...settings, samples: 4, earlyStop: false, ...overrides } });
const started = (question: string) => startedEntry('id', question, DEFAULT_SETTINGS);

/** The demo model solves it; `confidence: false` drops the package's thresholds, so nothing can be likely. */
const modelSolve = (question: string, confidence = true): Promise<ModelResult> => {
  const measured = demo.manifest.selection;
  if (!measured?.confidence) throw new Error('the demo package states no confidence thresholds');
  const { confidence: _thresholds, ...selection } = measured;
  return runSolveLoop(request(question), { format: FORMATS[demo.manifest.solutionFormat], decoder: demo.decoder(), python: demo.python, emit: () => {}, packageSelection: confidence ? measured : selection });
};

describe('result view', () => {
  it('shows a symbolic solution as its checked steps, with the rules\' explanation, in the page and the history', async () => {
    const q = 'Solve for $x$: $3x - 7 = 2x + 5$';
    const result = await dispatchSolve(request(q), { symbolic: (t) => solveSymbolic(t, python.run), model: () => Promise.reject(new Error('the model was asked')) });
    const view = resultView(result);
    expect(view).toMatchObject({ method: 'symbolic', level: 'verified', answer: '12', unchecked: false, symbolicNote: undefined, announcement: 'Done. The answer is 12.' });
    expect(view.body.kind).toBe('symbolic');
    expect(view.explanation).toMatch(/^Solved step by step by the rules for linear problems/);
    const entry = solvedEntry(started(q), result);
    expect(entry).toMatchObject({ status: 'solved', answer: '12', explanation: view.explanation });
    expect(entry.solution.split('\n').at(-1)).toMatch(/^check: /);
  });

  it('shows the model\'s answer it stands by in the package\'s format, and the same answer in the history', async () => {
    const result = await modelSolve(DEMO_PROBLEM);
    const view = resultView(result);
    expect(view.answer).toBe(shownAnswer(result).answer);
    expect(view.answer).toBe(DEMO_ANSWER);
    if (view.body.kind !== 'answer') throw new Error(`expected an answer, got ${view.body.kind} (${result.confidence.reason})`);
    expect(view.body.format).toBe(FORMATS[demo.manifest.solutionFormat]);
    expect(view.body.chosen?.sample).toBe(result.selection.chosen?.bestMember);
    expect(view).toMatchObject({ unchecked: false, explanation: result.selection.explanation, announcement: `Done. The answer is ${DEMO_ANSWER}.` });
    expect(solvedEntry(started(DEMO_PROBLEM), result)).toMatchObject({ status: 'solved', answer: DEMO_ANSWER, solution: view.body.chosen!.text });
  }, 120_000);

  it('shows no answer when the tutor is not sure: the reason, the attempts unchecked, and none kept in the history', async () => {
    const result = await modelSolve(DEMO_PROBLEM, false);
    expect(result.selection.chosen).not.toBeNull();
    const view = resultView(result);
    expect(view).toMatchObject({ level: 'not-sure', answer: null, unchecked: true, explanation: result.confidence.reason });
    expect(view.announcement).toBe('Done. No reliable answer was found; the attempts are shown unchecked.');
    if (view.body.kind !== 'not-sure') throw new Error(`expected not-sure, got ${view.body.kind}`);
    expect(view.body.total).toBe(4);
    expect(solvedEntry(started(DEMO_PROBLEM), result)).toMatchObject({ status: 'not-sure', answer: null, explanation: result.confidence.reason });
  }, 120_000);
});
