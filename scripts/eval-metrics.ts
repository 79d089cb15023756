/** Scores solved problems under every selection strategy, plus pass@N and the value head's AUC. */
import { compareAnswers } from '../workers/solver/equivalence.ts';
import { select, STRATEGY_IDS, type StrategyId } from '../workers/solver/selection.ts';
import type { SolveResult } from '../workers/contracts.ts';

export const STRATEGIES: readonly StrategyId[] = STRATEGY_IDS;

export interface Scored {
  correct: Record<StrategyId | 'pass', boolean>;
  noAnswerRate: number;
  /** (value, correct) for every sampled solution with an answer and a value. */
  valued: Array<[number, boolean]>;
}

export function scoreProblem(result: SolveResult, gold: string): Scored {
  // A symbolic result has no sampled solutions: no strategy's answer, nothing to score the model by.
  const outcomes = (result.method === 'model' ? result.samples : []).map((s) => ({ id: s.sample, answer: s.answer, value: s.value, greedy: s.greedy }));
  const sampled = outcomes.filter((o) => !o.greedy);
  const right = (answer: string | null | undefined) => answer != null && compareAnswers(answer, gold).equal;
  const correct = {} as Scored['correct'];
  for (const strategy of STRATEGIES) {
    const pool = strategy === 'greedy' ? outcomes : sampled;
    correct[strategy] = right(select(strategy, pool).chosen?.answer);
  }
  correct.pass = sampled.some((o) => right(o.answer));
  const valued: Array<[number, boolean]> = [];
  for (const o of sampled) if (o.answer !== null && o.value !== null) valued.push([o.value, right(o.answer)]);
  return { correct, noAnswerRate: sampled.filter((o) => o.answer === null).length / Math.max(1, sampled.length), valued };
}

/** Area under the ROC curve of value vs correctness (ties count half). */
export function auc(pairs: Array<[number, boolean]>): number | null {
  const pos = pairs.filter((p) => p[1]).map((p) => p[0]);
  const neg = pairs.filter((p) => !p[1]).map((p) => p[0]);
  if (!pos.length || !neg.length) return null;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}
