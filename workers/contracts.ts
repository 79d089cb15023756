/**
 * The contracts between the UI and the workers, in one place.
 *
 * Each worker exposes one API object through comlink; its type lives here and is
 * imported by both sides, so a mismatch is a compile error. Long work takes an
 * `onEvent` callback (passed through `Comlink.proxy`) for progress and streamed
 * output, and a `jobId` that `cancel(jobId)` stops. The main-thread bridge
 * (`workers/common/bridge.ts`) adds AbortSignal support on top: a call whose
 * signal aborts is cancelled cooperatively, then by terminating the worker.
 */

// ── Common ──────────────────────────────────────────────────────────────────

/** Identifies one long-running call so that it can be cancelled. */
export type JobId = string;

/** Progress of long work, e.g. loading a runtime or downloading a model. */
export interface ProgressEvent {
  type: 'progress';
  /** What is happening, in words a user understands ("Loading Python", "Downloading model.onnx"). */
  stage: string;
  /** Units done and total (bytes, files, steps); total is undefined when unknown. */
  done?: number;
  total?: number;
  /** Bytes per second and seconds left, for downloads. */
  rate?: number;
  etaSeconds?: number;
}

/** Errors cross threads as plain data and are rebuilt as named errors (`workers/common/errors.ts`). */
export interface SerializedError {
  name: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

// ── Capabilities (probe worker) ─────────────────────────────────────────────

export interface GpuInfo {
  /** True when `navigator.gpu.requestAdapter()` returned an adapter. */
  available: boolean;
  /** Why WebGPU is not available, in words for the user. */
  reason?: string;
  vendor?: string;
  architecture?: string;
  description?: string;
  /** A software (CPU) adapter such as SwiftShader: works, but slowly. */
  isFallbackAdapter?: boolean;
  /** True when fp16 shaders (`shader-f16`) are supported: required by fp16/q4f16 graphs. */
  shaderF16?: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

export interface StorageInfo {
  quota: number;
  usage: number;
  persisted: boolean;
}

export interface Capabilities {
  context: 'window' | 'worker';
  webgpu: GpuInfo;
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  hardwareConcurrency: number;
  /** navigator.deviceMemory where the browser reports it (GiB, rounded down). */
  deviceMemoryGiB?: number;
  storage?: StorageInfo;
}

export interface ProbeApi {
  /** Capabilities as seen from inside a module worker, where the model runs. */
  capabilities(): Promise<Capabilities>;
}

// ── Solver ──────────────────────────────────────────────────────────────────

import type { Confidence, PackageSelection, PythonRunResult, SamplerSpec, Selection, StepOutput, StrategyId } from './types.ts';
import type { SolutionFormatId } from './formats.ts';
export type { StrategyId, Selection, Cluster, SampleOutcome, Confidence, ConfidenceLevel, PythonRunResult } from './types.ts';
export type { SolutionFormatId } from './formats.ts';

export interface SolveSettings {
  /** Sampled solutions (default 8). */
  samples: number;
  /** Also decode one greedy (temperature 0) solution. */
  greedy: boolean;
  temperature: number;
  topP: number;
  /** Token budget per solution. */
  maxTokensPerSolution: number;
  /** Wall-clock budget for the whole problem, ms. */
  timeLimitMs: number;
  /** Per code block, ms (default 10 000). */
  codeTimeoutMs: number;
  /** How the answer is chosen; 'package': the model package's measured default (workers/solver/settings.ts). */
  strategy: StrategyChoice;
  /** Cancel remaining samples once no answer can overtake the chosen one. */
  earlyStop: boolean;
  /** Seed of the first sample; sample i uses seed + i. */
  seed: number;
}

/** A strategy, or the model package's own default ('package'). */
export type StrategyChoice = StrategyId | 'package';

/** Settings as a solve runs them: the strategy is a real one (the package's default put in). */
export interface ResolvedSolveSettings extends Omit<SolveSettings, 'strategy'> {
  strategy: StrategyId;
}

export interface SolveRequest {
  jobId: JobId;
  question: string;
  modelId: string;
  settings: SolveSettings;
  /** Solutions finished in an earlier attempt (before a lost GPU): kept as they are, not decoded again. */
  resume?: SampleRecord[];
}

/** Why a solution ended. */
export type SampleEnd = 'answer' | 'no-answer' | 'token-budget' | 'code-limit' | 'time-limit' | 'cancelled' | 'error';

export interface CodeRun {
  call: number;
  code: string;
  output: string;
  error?: { type: string; message: string; line?: number };
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

/**
 * Who wrote a piece of a solution: the model; code output (data: its markers never
 * act); or the format's own text around output (e.g. MARIO's `\nOutput: `).
 */
export type SegmentKind = 'model' | 'output' | 'format';

export interface Segment {
  kind: SegmentKind;
  text: string;
  /** An output segment of a run that failed. */
  error?: boolean;
}

export interface SampleRecord {
  sample: number;
  greedy: boolean;
  /** The generated solution, with code outputs as fed back to the model: the segments' texts joined. */
  text: string;
  /** `text` split by who wrote it. Absent in records saved before segments existed (then all of `text` is read as the model's). */
  segments?: Segment[];
  codeRuns: CodeRun[];
  answer: string | null;
  value: number | null;
  end: SampleEnd;
  tokens: number;
}

/** What a solve returns: the symbolic solver's checked steps, or the model's sampled solutions. `method` tells which. */
export type SolveResult = SymbolicResult | ModelResult;

/** The step-by-step solver answered: its steps, checked in the problem; no model ran. */
export interface SymbolicResult {
  method: 'symbolic';
  question: string;
  solution: SymbolicSolution;
  /** Always verified (workers/solver/confidence.ts, symbolicConfidence). */
  confidence: Confidence;
  durationMs: number;
}

/** The model answered: its solutions, the selection among them, and how sure the tutor is of the chosen answer. */
export interface ModelResult {
  method: 'model';
  question: string;
  modelId: string;
  /** The solution format the samples are written in (the package's), how the page splits them into steps. */
  format: SolutionFormatId;
  device: 'webgpu' | 'wasm' | 'cpu';
  settings: ResolvedSolveSettings;
  samples: SampleRecord[];
  selection: Selection;
  /** How sure the tutor is of the chosen answer (workers/solver/confidence.ts); the page shows "Answer: X" only when verified or likely. */
  confidence: Confidence;
  /** Why the symbolic solver, which recognised the problem, did not answer it (the page shows it beside the model's answer). */
  symbolicNote?: string;
  /** Samples cancelled because the answer was already decided. */
  stoppedEarly: number;
  durationMs: number;
}

/** Everything the UI hears while a problem is being solved; token text arrives in batches. */
export type SolverEvent =
  | ProgressEvent
  /** A solution started; `format` is the package's solution format, which its text is written in. */
  | { type: 'sample-started'; sample: number; greedy: boolean; format: SolutionFormatId }
  /** Text appended to solutions, in order; `kind` is the segment it belongs to (default 'model'). */
  | { type: 'tokens'; deltas: Array<{ sample: number; text: string; kind?: SegmentKind; error?: boolean }> }
  | { type: 'code-sent'; sample: number; call: number; code: string }
  | { type: 'code-output'; sample: number; run: CodeRun }
  | { type: 'sample-finished'; sample: number; answer: string | null; value: number | null; end: SampleEnd }
  | { type: 'selection'; selection: Selection; final: boolean }
  | { type: 'done'; result: SolveResult }
  | { type: 'error'; error: SerializedError }
  /** The GPU was lost: solving goes on with `device`; the samples in `kept` are kept, the others start over. */
  | { type: 'restarted'; device: 'webgpu' | 'wasm'; reason: string; kept: number[] };

/** A model package kept in the browser's storage. */
export interface StoredModel {
  id: string;
  bytes: number;
  /** Every file this device needs is there and verified. */
  complete: boolean;
}

/** The solver worker: hosts the model runtime and the Python pool, so tokens never pass through the UI thread. */
export interface SolverApi {
  /** Load the model and start Python in the background; progress arrives as events. */
  warm(modelId: string, onEvent: (event: ProgressEvent) => void): Promise<void>;
  /** Solve one problem; events stream through `onEvent` (token text in batches). */
  solve(request: SolveRequest, onEvent: (event: SolverEvent) => void): Promise<SolveResult>;
  /** Stop a running solve; it rejects with CancelledError and frees the model and interpreters. */
  cancel(jobId: JobId): Promise<void>;
  /** sympy's verdict on two expressions (sympy syntax), for "check my answer"; undefined when it cannot tell. */
  symbolicEqual(a: string, b: string): Promise<boolean | undefined>;
  /** Packages kept in this browser and their sizes. */
  storedModels(): Promise<StoredModel[]>;
  /** Download what this device needs of the package at `source` (a folder URL ending in "/"); `cancel(jobId)` pauses it, a later call resumes. */
  downloadModel(source: string, jobId: JobId, onEvent: (event: ProgressEvent) => void): Promise<StoredModel>;
  /** Delete a kept package and free its storage. */
  deleteModel(id: string): Promise<void>;
  /** Load models on this device from now on (null: choose automatically). */
  preferDevice(device: 'webgpu' | 'wasm' | null): Promise<void>;
  /** Destroy the GPU device as a driver crash would (tests, diagnostics); false when none is in use. */
  simulateDeviceLoss(): Promise<boolean>;
  /** How Python started on this visit and what its interpreters did (tests, diagnostics). */
  pythonStatus(): Promise<PythonStatus>;
}

/** How the Python interpreters started on this visit, and what the pool did (tests, benchmarks, diagnostics). */
export interface PythonStatus {
  /** Where the snapshot every interpreter restores from came from: this device's storage, or a cold start on this visit. */
  template: 'stored' | 'made' | 'none';
  /** What became of keeping it: 'saved'; 'kept' (it came from storage); 'refused' (storage unavailable or full: the next visit starts cold); 'pending'; 'off' (not kept). */
  storage: 'saved' | 'kept' | 'refused' | 'pending' | 'off';
  /** Why storage was refused, when it was. */
  storageError?: string;
  /** The trusted interpreter's starts: cold (made the snapshot) or restored. */
  trustedStarts: { cold: number; restored: number };
  /** ms: looking the snapshot up in storage (reading it included), and each trusted start inside its worker. */
  timings: { lookupMs?: number; trustedStartMs: number[] };
  pool: { workersMade: number; interpreterStarts: number; restoreFailures: number; rerouted: number; restarts: number; openSessions: number; liveWorkers: number };
}

// ── Python sandbox ──────────────────────────────────────────────────────────


/** Files the interpreter starts from, fetched by the main thread and handed over (the sandbox has no network). */
export interface PythonRuntimeFiles {
  /** Base URL of pyodide.asm.mjs (a script, loaded under the sandbox's script-src). */
  indexURL: string;
  wasm: ArrayBuffer;
  stdlib: ArrayBuffer;
  lockFile: string;
  packages: ArrayBuffer;
  /** pyodide.asm.wasm compiled once, shared by every interpreter started from these files (absent: each compiles `wasm`). */
  module?: WebAssembly.Module;
  /** What a snapshot made from these files depends on (the key it is stored under, with the worker's own code). */
  identity: { pyodide: string; wasmSha256: string; archiveSha256: string };
}

/** How an interpreter starts: trusted code to import first, and whether to snapshot it (before any other code runs). */
export interface PythonInitOptions {
  /** The app's own Python, run once after sympy is imported (e.g. the symbolic solver's modules). */
  imports?: string;
  /** Return a snapshot of the started interpreter, taken before the interrupt buffer and the lockdown. */
  makeSnapshot?: boolean;
}

/**
 * A started interpreter (Pyodide + sympy imported + the runner), taken before any
 * generated code ran: the wasm memory, and the files unpacked into site-packages
 * (emscripten keeps files outside the wasm memory).
 */
export interface PythonSnapshot {
  memory: ArrayBuffer;
  site: { paths: string[]; sizes: number[]; bytes: ArrayBuffer };
}

/** Where an interpreter's start spent its time inside its worker, ms (the restores bench reports them). */
export interface PythonStartPhases {
  /** Importing pyodide.asm.mjs (Emscripten's JavaScript). */
  script: number;
  /** Instantiating the wasm (compiled once by the page) and Emscripten's start, up to the module object. */
  instantiate: number;
  /** Growing the fresh memory to the snapshot's size. */
  grow: number;
  /** The rest of loadPyodide: the snapshot copied in, the standard library written, Pyodide's bootstrap. */
  bootstrap: number;
  /** Files put back (a restore) or sympy unpacked and imported (a cold start). */
  files: number;
  /** Interrupt buffer and lockdown. */
  lockdown: number;
}

export interface PythonWorkerApi {
  /**
   * Start Pyodide from the given files, then lock the worker down. Without a snapshot it
   * starts cold (imports sympy); with one it restores that state. Returns the sympy version.
   */
  init(
    files: PythonRuntimeFiles,
    interruptBuffer: Int32Array | null,
    snapshot: PythonSnapshot | null,
    options?: PythonInitOptions,
  ): Promise<{ sympy: string; startMs: number; phasesMs: PythonStartPhases; snapshot?: PythonSnapshot }>;
  run(session: string, code: string, maxOutputChars: number): Promise<PythonRunResult>;
  closeSession(session: string): Promise<void>;
}

// ── Model runtime ───────────────────────────────────────────────────────────

/** A loaded model package as the UI sees it. */
export interface ModelInfo {
  id: string;
  title: string;
  device: 'webgpu' | 'wasm';
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
  /** Why this device was chosen, in words for the user. */
  deviceReason: string;
  /** Samples that fit in memory at once, and tokens per sample (see workers/model/memory-plan.ts). */
  plan: { batch: number; context: number; totalBytes: number; reductions: string[] };
  loadMs: number;
  /** How the package's solutions are written (its prompt, code blocks and stops: workers/formats.json). */
  solutionFormat: SolutionFormatId;
  /** The package's default answer selection and its measured "likely" thresholds. */
  selection?: PackageSelection;
}

export interface LoadModelOptions {
  /** Force a device instead of choosing one (tests, benchmarks). */
  device?: 'webgpu' | 'wasm';
  /** navigator.deviceMemory as seen by the caller, for the memory plan. */
  deviceMemoryGiB?: number;
  /** The package folder's URL (a registry entry's `source`, e.g. a hub `.../resolve/main/`); default `${baseUrl}${id}/`. */
  source?: string;
  /** Force a variant instead of the device's default one (tests, benchmarks). */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
}

/** One generation: N sequences from one prompt, decoded together as a batch. */
export interface GenerateRequest {
  jobId: JobId;
  prompt: string;
  /** One sampler per sequence; temperature 0 is greedy. */
  samplers: Array<{ seed: number; temperature: number; topP: number; topK?: number }>;
  /** Token budget per sequence. */
  maxNewTokens: number;
  /** A sequence ends when its text contains one of these (the stop string is kept) or at end of text. */
  stop?: string[];
}

export type GenerateEnd = 'eos' | 'stop' | 'token-budget' | 'cancelled';

export interface GeneratedSequence {
  text: string;
  tokens: number[];
  /** The value head's score at the last token; null without a value head. */
  value: number | null;
  end: GenerateEnd;
}

export interface GenerateResult {
  sequences: GeneratedSequence[];
  /** Tokens generated, all sequences together, per second of decoding (prefill excluded). */
  tokensPerSecond: number;
  prefillMs: number;
  decodeMs: number;
}

export type ModelEvent =
  | ProgressEvent
  | { type: 'tokens'; deltas: Array<{ sequence: number; text: string }> }
  /** The GPU was lost mid-generation: the model now runs on `device`, and every sequence starts over (drop the text received so far). */
  | { type: 'restarted'; device: 'webgpu' | 'wasm'; reason: string };

/**
 * The model worker: loads a package and decodes with the batched loop. The solver hosts
 * the same runtime in its own worker (workers/solver/service.ts); this one serves the
 * model manager, benchmarks and tests that need the model without Python.
 */
export interface ModelApi {
  load(baseUrl: string, id: string, options: LoadModelOptions, onEvent: (event: ProgressEvent) => void): Promise<ModelInfo>;
  generate(request: GenerateRequest, onEvent: (event: ModelEvent) => void): Promise<GenerateResult>;
  /** Greedy decoding by full recomputation without a cache: the reference for the batched loop. */
  greedyReference(prompt: string, steps: number): Promise<number[]>;
  cancel(jobId: JobId): Promise<void>;
  /** Release the inference session and its memory. */
  unload(): Promise<void>;
  /** Destroy the GPU device as a driver crash would (tests, diagnostics); false when none is in use. */
  simulateDeviceLoss(): Promise<boolean>;
  /**
   * A batched decode session on the loaded model, driven call by call from another worker (the solve loop's
   * DecodeSession, workers/types.ts): `openDecoder` returns its number, the other calls name it.
   */
  openDecoder(): Promise<number>;
  decoderStart(decoder: number, prompt: string, samplers: SamplerSpec[], options: { bos?: boolean }): Promise<void>;
  decoderStep(decoder: number): Promise<StepOutput>;
  decoderPause(decoder: number, sequence: number): Promise<void>;
  decoderAppend(decoder: number, sequence: number, text: string): Promise<void>;
  decoderValue(decoder: number, sequence: number): Promise<number | null>;
  decoderStop(decoder: number, sequence: number): Promise<void>;
  decoderDispose(decoder: number): Promise<void>;
}

// ---- Symbolic solver (workers/symbolic/) ------------------------------------------------

/** One step of a symbolic solution, like mathsteps' change records: a rule name, a sentence, the expression after it. */
export interface SymbolicStep {
  /** Stable rule name, e.g. 'product-rule', 'quadratic-formula', 'check'. */
  rule: string;
  /** One sentence for the student (may hold $...$ math). */
  text: string;
  /** The expression after the step, LaTeX; '' when the sentence says it all. */
  latex: string;
  /** Finer steps, shown collapsed. */
  substeps: SymbolicStep[];
}

/**
 * Why the rules declined (tutor_symbolic/steps.py DECLINE_KINDS): `not-recognised`, no rule reads the wording (no note
 * for the student); `recognised-not-finished`, a rule took the problem but cannot explain this case; `bad-input`, the
 * problem as written has no answer (a negative length, a digit its base lacks), and `reason` says what is wrong.
 */
export type SymbolicDeclineKind = 'not-recognised' | 'recognised-not-finished' | 'bad-input';

export type SymbolicOutcome =
  | {
      status: 'solved';
      /** The rule module's problem type, e.g. 'linear', 'derivative', 'arithmetic'. */
      kind: string;
      /** The problem as read, LaTeX ("Solving: ..."). */
      problem: string;
      steps: SymbolicStep[];
      /** The answer in MATH500 form, LaTeX. */
      answer: string;
      /** A sentence when the answer is "no solution", "every real number", only complex solutions. */
      answerWords: string | null;
      durationMs: number;
    }
  /** The rules cannot explain this problem: the model solves it. `kind` says why (see SymbolicDeclineKind). */
  | { status: 'declined'; kind: SymbolicDeclineKind; reason: string; durationMs: number }
  /** The text does not parse: what was read and where (character offset in `read`) it failed. */
  | { status: 'parse-error'; message: string; read: string; position: number | null; durationMs: number }
  /** The rules ran past their time limit, or the interpreter failed; the model solves it. */
  | { status: 'timeout' | 'failed'; message: string; durationMs: number };

/** Who answered a problem. */
export type SolveMethod = SolveResult['method'];

/** A symbolic solution as a result carries it. */
export type SymbolicSolution = Omit<Extract<SymbolicOutcome, { status: 'solved' }>, 'status'>;

