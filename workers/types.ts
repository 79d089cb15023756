/**
 * Value types that several layers share (the solver, the model runtime, the Python sandbox, the page), in one
 * module that imports nothing, so that no two of those layers need each other for a type.
 */

// ── Answers and their selection ─────────────────────────────────────────────

/** Where a format's final answer is written. */
export type AnswerSource = 'final-answer' | 'boxed';

/** How the answer is chosen among the sampled solutions (workers/solver/selection.ts). */
export const STRATEGY_IDS = ['greedy', 'majority', 'best-of-n', 'outlier-free-ovm'] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

export interface SampleOutcome {
  /** Index of the sample (order of generation). */
  id: number;
  /** Extracted final answer; null when the solution gave none. */
  answer: string | null;
  /** Value head score in [0, 1]; null when the model has no value head. */
  value: number | null;
  /** The greedy (temperature 0) sample. */
  greedy?: boolean;
}

export interface Cluster {
  answer: string;
  members: number[];
  count: number;
  bestValue: number | null;
  meanValue: number | null;
  /** The member with the best value (the first member when there are no values). */
  bestMember: number;
}

export interface Selection {
  strategy: StrategyId;
  chosen: Cluster | null;
  /** All clusters, largest first. */
  clusters: Cluster[];
  /** Clusters the strategy set aside (outliers for outlier-free OVM). */
  setAside: Cluster[];
  /** Samples with no answer. */
  noAnswer: number;
  /** One sentence for the user. */
  explanation: string;
}

// ── Confidence (workers/solver/confidence.ts) ───────────────────────────────

export type ConfidenceLevel = 'verified' | 'likely' | 'not-sure';

/** The thresholds a package's manifest states for its "likely" answers (`selection.confidence`). */
export interface ConfidenceThresholds {
  /** Share of the sampled solutions (greedy excluded) whose answer is the chosen one. */
  minAgreement: number;
  /** The chosen answer's best value-head score. */
  minValue: number;
  /**
   * Share of the agreeing solutions whose code is grounded in the problem (groundedCode): every number it uses
   * is the problem's, an earlier output's or a unit constant, and a quantity it names is one the problem names.
   * A model trained on a few templates is confidently, consistently wrong outside them; agreement and value
   * cannot tell, this can. Absent: the package was not calibrated for it, and no answer is "likely".
   */
  minGrounded?: number;
}

/**
 * How a package's answers are chosen by default, and when one is shown as "likely": measured on held-out
 * problems (scripts/calibrate-confidence.ts, models/README.md). Absent: majority vote, never "likely".
 */
export interface PackageSelection {
  strategy: StrategyId;
  confidence?: ConfidenceThresholds;
  measuredOn?: string;
}

export interface Confidence {
  level: ConfidenceLevel;
  /** One sentence for the student on why the tutor is (not) sure. */
  reason: string;
  /** Figures the rules read, for the page's "why" and for evaluation traces. */
  agreement: number | null;
  bestValue: number | null;
}

// ── Python runs ─────────────────────────────────────────────────────────────

/** The result of running one code block. */
export interface PythonRunResult {
  /** What is fed back to the model: stdout, or the last expression's value, or the error line; truncated. */
  output: string;
  /** The block's raw stdout (capped by the runner); the harness drivers' results travel in it (solver/harness.ts). */
  stdout: string;
  stderr: string;
  /** `output` was cut to the length limit. */
  truncated: boolean;
  error?: { type: string; message: string; line?: number };
  durationMs: number;
  /** Stopped at the time limit. */
  timedOut: boolean;
}

// ── Decoding (the model runtime as the solve loop drives it) ────────────────

export interface SamplerSpec {
  seed: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  topK?: number;
}

export interface StepOutput {
  /** Text decoded this step, per running sequence. */
  deltas: Map<number, string>;
  /** Sequences that produced end-of-sequence. */
  ended: Set<number>;
}

/** What the loop needs from the model runtime (implemented over the batched decoder). */
export interface DecodeSession {
  readonly device: 'webgpu' | 'wasm' | 'cpu';
  /**
   * Prefill the shared prompt once and fork it into one sequence per sampler.
   * `bos`: the format's harness starts the prompt with the tokenizer's beginning-of-sequence token.
   */
  start(prompt: string, samplers: SamplerSpec[], options?: { bos?: boolean }): Promise<void>;
  /** Decode one token for every running (not paused, not stopped) sequence. */
  step(): Promise<StepOutput>;
  /** Exclude a sequence from decoding until `append` resumes it. */
  pause(sequence: number): void;
  /** Append text (prefilling its tokens) and resume the sequence. */
  append(sequence: number, text: string): Promise<void>;
  /** The value head's score for the sequence's current last token; null without a value head. */
  value(sequence: number): Promise<number | null>;
  /** Stop decoding a sequence for good and free what it holds. */
  stop(sequence: number): void;
  dispose(): Promise<void>;
}
