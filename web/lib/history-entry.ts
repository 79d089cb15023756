/** History entries for a solve: written when it starts (so a crash leaves a trace) and when it ends. */
import type { SolveResult } from '../../workers/contracts.ts';
import type { HistoryEntry, StoredSettings } from './db.ts';
import { resultView } from './result-view.ts';

export function startedEntry(id: string, question: string, settings: Pick<StoredSettings, 'modelId' | 'strategy' | 'samples'>): HistoryEntry {
  const now = Date.now();
  return {
    id, createdAt: now, updatedAt: now, question, modelId: settings.modelId, status: 'solving', answer: null,
    explanation: '', solution: '', strategy: settings.strategy, samples: settings.samples, durationMs: 0,
  };
}

/** The entry once solved: the answer the tutor stands by (none when it is not sure), why, and the chosen solution's text. */
export function solvedEntry(started: HistoryEntry, result: SolveResult): HistoryEntry {
  const view = resultView(result);
  // A symbolic solution's steps as lines of text (rule: sentence, then the expression); a model's, its text.
  const solution =
    view.body.kind === 'symbolic'
      ? view.body.solution.steps.map((s) => `${s.rule}: ${s.text}${s.latex ? ` $${s.latex}$` : ''}`).join('\n')
      : (view.chosen?.sample?.text ?? '');
  // An answer the tutor is not sure of is not kept as the answer: the history would show it as one.
  const status = view.answer !== null ? 'solved' : view.chosen ? 'not-sure' : 'no-answer';
  return { ...started, updatedAt: Date.now(), status, answer: view.answer, explanation: view.explanation, solution, durationMs: result.durationMs };
}
