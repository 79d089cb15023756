/**
 * How sure the tutor is of the answer it shows. A wrong answer shown as right is the worst
 * thing a tutor can do, so an answer is only ever shown as an answer when it is
 *
 * - **verified**: it was checked, not voted on: the symbolic solver's answer (each solution
 *   substituted back into the problem), or a model answer that the symbolic solver confirmed;
 * - **likely**: the model's samples agree on it strongly and the value head scores it highly,
 *   by thresholds the package's manifest states and that were chosen on held-out problems
 *   (models/README.md, "Confidence");
 *
 * and is otherwise **not sure**: the page then says it found no reliable answer and shows the
 * candidates as unchecked attempts. Whatever cannot be computed (no value head, no thresholds
 * for this package, every solution failed) is not sure, never likely.
 *
 * Pure: no I/O, tested directly (tests/unit/confidence.test.ts).
 */
import type { Cluster, Confidence, ConfidenceLevel, ConfidenceThresholds, Selection } from '../types.ts';
import type { SolveResult } from '../contracts.ts';
import { cleanAnswer } from './normalize.ts';
import { evaluateLatexNumber } from './latex-number.ts';
import { latexToSympy } from './equivalence.ts';

export type { Confidence, ConfidenceLevel, ConfidenceThresholds } from '../types.ts';



/** What the rules read of one solution. */
export interface ConfidenceSample {
  /** The sample's id, as in the selection's cluster members. */
  id: number;
  answer: string | null;
  value: number | null;
  greedy: boolean;
  /** Code blocks that ran, and how many of them failed (an error or a time limit). */
  codeRuns: number;
  failedRuns: number;
  /** Its code is grounded in the problem (groundedCode); false without code. */
  grounded: boolean;
}

export interface ConfidenceInput {
  selection: Selection;
  samples: readonly ConfidenceSample[];
  /** The package's thresholds; undefined when it states none (then nothing is "likely"). */
  thresholds: ConfidenceThresholds | undefined;
  /** An independent check of the chosen answer: true confirmed, false contradicted, undefined not checked. */
  check?: { agrees: boolean; by: string } | undefined;
}


/** A symbolic solution: each answer was substituted into the problem and checked. */
export function symbolicConfidence(): Confidence {
  return { level: 'verified', reason: 'Solved exactly by rules, and every solution was checked in the original problem.', agreement: null, bestValue: null };
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

/** Numbers any solution may use without taking them from the problem: units and rounding (percent, minutes, places). */
const UNIT_CONSTANTS = new Set([0, 1, 2, 10, 60, 100]);

const numbersOf = (text: string): number[] => [...text.replace(/(\d),(?=\d{3})/g, '$1').matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w])/g)].map((m) => Number(m[0]));

/** Code without its string literals and comments (their digits and words are not the computation). */
const codeOnly = (code: string): string => code.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/#.*$/gm, '');

/**
 * The solution's code is grounded in the problem: every number it uses is one of the problem's, one an earlier
 * run printed, or a unit constant; and at least one name it assigns is a quantity the problem names (`sale` for
 * "on sale", `left` for "left over"; `area` in a problem about a shirt's price is not). Pure and cheap (no model
 * call): a few regular expressions over the problem and the code.
 */
export function groundedCode(question: string, runs: ReadonlyArray<{ code: string; output: string }>): boolean {
  if (runs.length === 0) return false;
  const known = new Set([...numbersOf(question), ...UNIT_CONSTANTS]);
  const words = new Set((question.toLowerCase().match(/[a-z]{3,}/g) ?? []).map((w) => w.slice(0, 4)));
  let named = false;
  for (const run of runs) {
    const code = codeOnly(run.code);
    if (numbersOf(code).some((n) => !known.has(n))) return false;
    for (const m of code.matchAll(/^\s*([A-Za-z_]\w*)\s*=(?!=)/gm)) {
      if (m[1]!.toLowerCase().split('_').some((part) => part.length >= 3 && words.has(part.slice(0, 4)))) named = true;
    }
    for (const n of numbersOf(run.output)) known.add(n);
  }
  return named;
}

/** What the rules read of a solution record (SampleRecord) to the problem `question`. */
export function confidenceSample(record: { sample: number; answer: string | null; value: number | null; greedy: boolean; codeRuns: ReadonlyArray<{ error?: unknown; timedOut: boolean; code: string; output: string }> }, question: string): ConfidenceSample {
  return {
    grounded: groundedCode(question, record.codeRuns),
    id: record.sample,
    answer: record.answer,
    value: record.value,
    greedy: record.greedy,
    codeRuns: record.codeRuns.length,
    failedRuns: record.codeRuns.filter((run) => run.error !== undefined || run.timedOut).length,
  };
}

/** The confidence of a model solve. */
export function modelConfidence({ selection, samples, thresholds, check }: ConfidenceInput): Confidence {
  const chosen: Cluster | null = selection.chosen;
  const sampled = samples.filter((s) => !s.greedy);
  const pool = sampled.length > 0 ? sampled : samples;
  const notSure = (reason: string, agreement: number | null = null, bestValue: number | null = null): Confidence => ({ level: 'not-sure', reason, agreement, bestValue });
  if (!chosen) return notSure('No solution reached an answer.');
  if (check && !check.agrees) return notSure(`The answer did not pass the check by ${check.by}.`);
  if (check?.agrees) return { level: 'verified', reason: `The answer was confirmed by ${check.by}.`, agreement: null, bestValue: chosen.bestValue };

  const same = (s: ConfidenceSample) => s.answer !== null && chosen.members.includes(s.id);
  const members = pool.filter(same);
  const agreement = pool.length > 0 ? members.length / pool.length : 0;
  const values = members.map((s) => s.value).filter((v): v is number => v !== null);
  const bestValue = values.length > 0 ? Math.max(...values) : null;
  if (pool.every((s) => s.codeRuns > 0 && s.failedRuns === s.codeRuns)) return notSure('Every solution’s code failed, so none of the answers was computed.', agreement, bestValue);
  if (!thresholds) return notSure('This model has no measured confidence rules, so its answers are shown as unchecked attempts.', agreement, bestValue);
  if (bestValue === null) return notSure('This model has no value head to score its solutions.', agreement, bestValue);
  const clean = members.some((s) => s.codeRuns === 0 || s.failedRuns < s.codeRuns);
  if (!clean) return notSure('The solutions that gave this answer all had failing code.', agreement, bestValue);
  if (agreement < thresholds.minAgreement) {
    return notSure(`Only ${members.length} of ${pool.length} solutions agree (${pct(agreement)}; at least ${pct(thresholds.minAgreement)} needed).`, agreement, bestValue);
  }
  if (bestValue < thresholds.minValue) {
    return notSure(`The solutions agree, but the model scores them low (${bestValue.toFixed(2)}; at least ${thresholds.minValue.toFixed(2)} needed).`, agreement, bestValue);
  }
  if (thresholds.minGrounded === undefined) return notSure('This model was not measured on problems outside what it learnt, so its answers are shown as unchecked attempts.', agreement, bestValue);
  const grounded = members.filter((s) => s.grounded).length / members.length;
  if (grounded < thresholds.minGrounded) {
    return notSure('The solutions agree, but their code uses numbers or quantities the problem does not mention: the problem may be outside what this model knows.', agreement, bestValue);
  }
  return {
    level: 'likely',
    reason: `${members.length} of ${pool.length} solutions agree and the model scores them ${bestValue.toFixed(2)}: likely right, but not checked.`,
    agreement,
    bestValue,
  };
}

/** The answer the page shows as *the* answer, and its confidence: none when the tutor is not sure. */
export function shownAnswer(result: SolveResult): { answer: string | null; confidence: ConfidenceLevel } {
  const confidence = result.confidence.level;
  if (confidence === 'not-sure') return { answer: null, confidence };
  return { answer: result.method === 'symbolic' ? result.solution.answer : (result.selection.chosen?.answer ?? null), confidence };
}

/** Names an expression answer may use: one-letter variables and what the grader reads as functions and constants. */
const EXPRESSION_NAMES = new Set(['sqrt', 'pi', 'oo', 'sin', 'cos', 'tan', 'log', 'exp', 'e', 'i', 'C']);

/**
 * A well-formed answer: a number or fraction the grader evaluates, or an expression it converts for sympy with
 * balanced brackets and only one-letter names or known functions (`-piecespieces)` is none of these).
 */
export function wellFormedAnswer(answer: string): boolean {
  const { text } = cleanAnswer(answer);
  if (!text) return false;
  if (evaluateLatexNumber(text) !== undefined) return true;
  const sympy = latexToSympy(text);
  if (sympy === undefined || !/^[\w\s+\-*/().,]+$/.test(sympy)) return false;
  let depth = 0;
  for (const ch of sympy) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  if (depth !== 0) return false;
  const names = sympy.match(/[A-Za-z_]\w*/g) ?? [];
  return names.every((name) => name.length === 1 || EXPRESSION_NAMES.has(name));
}

/** A solution some of whose code ran to the end (no error, no time limit). */
export function codeRan(record: { codeRuns: ReadonlyArray<{ error?: unknown; timedOut: boolean }> }): boolean {
  return record.codeRuns.some((run) => run.error === undefined && !run.timedOut);
}

/** At most this many unchecked attempts are listed when the tutor is not sure. */
export const MAX_ATTEMPTS = 3;

/**
 * The unchecked attempts the page lists when it is not sure: well-formed answers given by a solution whose code
 * ran, largest clusters first, at most MAX_ATTEMPTS; none when no solution's code ran.
 */
export function uncheckedAttempts(selection: Selection, samples: readonly { sample: number; codeRuns: ReadonlyArray<{ error?: unknown; timedOut: boolean }> }[]): Cluster[] {
  const ran = new Set(samples.filter(codeRan).map((s) => s.sample));
  if (ran.size === 0) return [];
  return selection.clusters.filter((c) => wellFormedAnswer(c.answer) && c.members.some((m) => ran.has(m))).slice(0, MAX_ATTEMPTS);
}
