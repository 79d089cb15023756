/** History entries for a solve: written when it starts (so a crash leaves a trace) and when it ends. */
import type { SolveResult } from '../../workers/contracts.ts';
import type { HistoryEntry, StoredSettings } from './db.ts';

export function startedEntry(id: string, question: string, settings: Pick<StoredSettings, 'modelId' | 'strategy' | 'samples'>): HistoryEntry {
  const now = Date.now();
  return {
    id, createdAt: now, updatedAt: now, question, modelId: settings.modelId, status: 'solving', answer: null,
    explanation: '', solution: '', strategy: settings.strategy, samples: settings.samples, durationMs: 0,
  };
}

/** The entry once solved: the chosen answer, why, and the chosen solution's text. */
export function solvedEntry(started: HistoryEntry, result: SolveResult): HistoryEntry {
  if (result.method === 'symbolic' && result.symbolic) {
    // A symbolic solution: its answer, and its steps as lines of text (rule: sentence, then the expression).
    const lines = result.symbolic.steps.map((s) => `${s.rule}: ${s.text}${s.latex ? ` $${s.latex}$` : ''}`);
    return { ...started, updatedAt: Date.now(), status: 'solved', answer: result.symbolic.answer, explanation: result.selection.explanation, solution: lines.join('\n'), durationMs: result.durationMs };
  }
  const best = result.selection.chosen;
  // An answer the tutor is not sure of is not kept as the answer: the history would show it as one.
  const sure = best !== null && result.confidence !== undefined && result.confidence.level !== 'not-sure';
  return {
    ...started,
    updatedAt: Date.now(),
    status: sure ? 'solved' : best ? 'not-sure' : 'no-answer',
    answer: sure ? best.answer : null,
    explanation: sure || !result.confidence ? result.selection.explanation : result.confidence.reason,
    solution: best ? result.samples.find((s) => s.sample === best.bestMember)?.text ?? '' : '',
    durationMs: result.durationMs,
  };
}
