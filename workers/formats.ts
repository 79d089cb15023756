/**
 * Solution formats as data: how a family of models is prompted, where its code
 * blocks begin and end, how an execution result is fed back, where its final answer
 * is, and the per-model execution rules of its reference harness (models/FORMAT.md
 * cites each). The model runtime checks packages against them, the solver runs them
 * (workers/solver/formats.ts).
 *
 * The data lives in formats.json, which the Python converter reads too: this module
 * is the one place the list of formats is declared; everything else checks against it.
 * It imports only that data and the shared types, so every layer can read it.
 */
import type { AnswerSource } from './types.ts';
import data from './formats.json' with { type: 'json' };

export type SolutionFormatId = keyof typeof data;

export interface SolutionFormat {
  id: SolutionFormatId;
  title: string;
  /** Where the rules come from (files and functions of the reference harness). */
  reference: string;
  /** Prompt with `{question}` in place of the problem. */
  prompt: string;
  /** The prompt starts with the tokenizer's beginning-of-sequence token (MARIO's harness encodes with special tokens). */
  bos: boolean;
  /** Written after the prompt and after each output, before the model goes on (MARIO: `<p>\n`). */
  primer: string;
  /** Text that opens a code block (the code follows it). */
  codeStart: string;
  /** Text that closes the code itself, before the stop string (e.g. the closing fence). */
  codeEnd: string;
  /** Generation pauses when the model's text ends with this; then the code is run. */
  codeStop: string;
  /** The reference harness's code stop strings, as a package manifest lists them (each ends with `codeStop`). */
  codeStops: string[];
  /** Appended after the stop string, with `{output}` replaced by the execution result. */
  outputTemplate: string;
  /** Strings that end a solution. */
  endStrings: string[];
  answerSources: AnswerSource[];
  /** At most this many code executions per solution. */
  maxCodeCalls: number;
  /**
   * What the limit does: `refuse` — a block past it is not run and the solution ends;
   * `end-after` — the last allowed run's output is fed back, then `limitNotice`, and the solution ends.
   */
  codeLimit: 'refuse' | 'end-after';
  limitNotice: string;
  /**
   * Code is not run once the model's text since the last output contains `marker`; the
   * solution ends there, with its answer (`answer: true`) or without one.
   */
  answerBlocksCode: { marker: string; answer: boolean } | null;
  /** Consecutive failing blocks after which a solution is ended (the tutor's own rule); null: no such limit. */
  maxConsecutiveErrors: number | null;
  /**
   * New tokens per generation call (from the prompt or an output to the next code stop), as the harness
   * gives them (Qwen2.5-Math math_eval.py: max_tokens_per_call 2048 over up to max_func_call calls); it
   * replaces the whole-solution budget of the settings. null: the settings' budget for the whole solution.
   */
  maxTokensPerCall: number | null;
  /** The harness's nucleus sampling where the repository's generation_config.json names none; null: the tutor's default. */
  topP: number | null;
  /** A code block runs only when closed: the code ends with `codeEnd` (its closing fence), as the harness's program extraction requires. */
  requireClosedCode: boolean;
  /** Which execution and rendering rules turn a run into the output text (harness.ts). */
  execution: 'tutor' | 'mario-python-tool' | 'qwen-python-executor';
}

export const FORMATS = data as Record<SolutionFormatId, SolutionFormat>;

export const FORMAT_IDS = Object.keys(FORMATS) as SolutionFormatId[];

export function isSolutionFormatId(id: unknown): id is SolutionFormatId {
  return typeof id === 'string' && Object.hasOwn(FORMATS, id);
}
