/**
 * What the page, the embed and the history show of a finished solve, decided once: whether the tutor stands by an
 * answer (shownAnswer, workers/solver/confidence.ts, the only place that says so), which view of the result applies,
 * and the sentences that go with it. Pure: tested directly (tests/unit/result-view.test.ts).
 */
import type { Confidence, ConfidenceLevel, SampleRecord, SolveResult, SymbolicSolution } from '../../workers/contracts.ts';
import type { Cluster } from '../../workers/types.ts';
import { FORMATS, type SolutionFormat } from '../../workers/formats.ts';
import { shownAnswer, uncheckedAttempts } from '../../workers/solver/confidence.ts';

/** What the result area shows. */
export type ResultBody =
  /** The rules' steps, each solution checked in the problem. */
  | { kind: 'symbolic'; solution: SymbolicSolution }
  /** The model's answer the tutor stands by (verified or likely), with the solution that gave it. */
  | { kind: 'answer'; answer: string; chosen: SampleRecord | undefined; format: SolutionFormat; explanation: string }
  /** The tutor is not sure: no answer, the attempts worth listing, unchecked. */
  | { kind: 'not-sure'; attempts: Cluster[]; total: number }
  /** No solution reached an answer. */
  | { kind: 'no-answer' };

export interface ResultView {
  method: SolveResult['method'];
  question: string;
  confidence: Confidence;
  level: ConfidenceLevel;
  /** The answer the tutor stands by; null when it is not sure or none was found. */
  answer: string | null;
  /** Why this answer (or why none): the selection's explanation when it stands by one, the confidence's reason when not. */
  explanation: string;
  body: ResultBody;
  /** The model's solutions and clusters are unchecked attempts: the page collapses them, the embed leaves them out. */
  unchecked: boolean;
  /** Why the rules, which recognised the problem, did not answer it. */
  symbolicNote: string | undefined;
  /** One sentence for a screen reader when the solve is done. */
  announcement: string;
  /** The answer the solutions gave, sure or not (null: none gave one); the history keeps its solution's text. */
  chosen: { answer: string; sample: SampleRecord | undefined } | null;
}

const symbolicExplanation = (solution: SymbolicSolution) => `Solved step by step by the rules for ${solution.kind.replace(/-/g, ' ')} problems; no model was needed.`;

export function resultView(result: SolveResult): ResultView {
  const { answer, confidence: level } = shownAnswer(result);
  const common = { method: result.method, question: result.question, confidence: result.confidence, level, answer };
  if (result.method === 'symbolic') {
    return {
      ...common,
      explanation: symbolicExplanation(result.solution),
      body: { kind: 'symbolic', solution: result.solution },
      unchecked: false,
      symbolicNote: undefined,
      announcement: `Done. The answer is ${result.solution.answer}.`,
      chosen: { answer: result.solution.answer, sample: undefined },
    };
  }
  const { selection, samples } = result;
  const best = selection.chosen;
  const chosen = best ? { answer: best.answer, sample: samples.find((s) => s.sample === best.bestMember) } : null;
  const explanation = answer !== null ? selection.explanation : result.confidence.reason;
  const body: ResultBody =
    answer !== null
      ? { kind: 'answer', answer, chosen: chosen?.sample, format: FORMATS[result.format], explanation: selection.explanation }
      : selection.clusters.length > 0
        ? { kind: 'not-sure', attempts: uncheckedAttempts(selection, samples), total: samples.filter((s) => !s.greedy).length || samples.length }
        : { kind: 'no-answer' };
  return {
    ...common,
    explanation,
    body,
    unchecked: answer === null,
    symbolicNote: result.symbolicNote,
    announcement: !best ? 'Done. No answer was found.' : answer !== null ? `Done. The answer is ${answer}.` : 'Done. No reliable answer was found; the attempts are shown unchecked.',
    chosen,
  };
}
