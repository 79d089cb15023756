/**
 * The tool-integrated reasoning loop for one problem: N solutions decoded together;
 * a solution that closes a code block is paused, its code runs in its own Python
 * session, the output is appended as the format prescribes, and it resumes while
 * the others keep decoding. Answers are graded and grouped as they finish, and the
 * remaining samples are cancelled once the chosen answer can no longer change.
 *
 * Transport-free: the decoder and the Python runner are passed in, so the same loop
 * runs in the browser worker and in Node tests.
 */
import type { CodeRun, SampleEnd, SampleRecord, SolveRequest, SolveResult, SolverEvent } from '../contracts.ts';
import { CancelledError, GpuDeviceLostError } from '../common/errors.ts';
import { extractAnswer } from './answer.ts';
import { buildPrompt, formatOutput, pendingCode, type SolutionFormat } from './formats.ts';
import { isDecided, select, type SampleOutcome } from './selection.ts';

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
  /** Prefill the shared prompt once and fork it into one sequence per sampler. */
  start(prompt: string, samplers: SamplerSpec[]): Promise<void>;
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

export interface PythonRun {
  output: string;
  error?: { type: string; message: string; line?: number };
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

export interface PythonRunner {
  run(session: string, code: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<PythonRun>;
  closeSession(session: string): Promise<void>;
}

export interface LoopDeps {
  format: SolutionFormat;
  decoder: DecodeSession;
  python: PythonRunner;
  emit: (event: SolverEvent) => void;
  signal?: AbortSignal;
  /** Token deltas are sent at most this often (ms); default 60. */
  flushMs?: number;
  now?: () => number;
}

/** Consecutive failing code blocks after which a solution is ended: it is looping on errors. */
export const MAX_CONSECUTIVE_ERRORS = 3;

interface Seq {
  record: SampleRecord;
  session: string;
  stopTail: string;
  paused: boolean;
  done: boolean;
  consecutiveErrors: number;
}

export async function runSolveLoop(request: SolveRequest, deps: LoopDeps): Promise<SolveResult> {
  const { format, decoder, python, emit } = deps;
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const { settings } = request;
  const samplers: SamplerSpec[] = [];
  for (let i = 0; i < settings.samples; i += 1) samplers.push({ seed: settings.seed + i, temperature: settings.temperature, topP: settings.topP });
  if (settings.greedy) samplers.push({ seed: settings.seed, temperature: 0, topP: 1 });

  const seqs: Seq[] = samplers.map((s, i) => ({
    record: { sample: i, greedy: s.temperature === 0, text: '', codeRuns: [], answer: null, value: null, end: 'no-answer', tokens: 0 },
    session: `${request.jobId}:${i}`,
    stopTail: '',
    paused: false,
    done: false,
    consecutiveErrors: 0,
  }));
  const pendingRuns = new Set<Promise<void>>();
  const runAbort = new AbortController();
  const outcomes = (): SampleOutcome[] =>
    seqs.filter((s) => s.done && s.record.end !== 'cancelled').map((s) => ({ id: s.record.sample, answer: s.record.answer, value: s.record.value, greedy: s.record.greedy }));
  let stoppedEarly = 0;

  // Batched token stream.
  let buffer = new Map<number, string>();
  let lastFlush = now();
  const flush = (force = false) => {
    if (buffer.size === 0 || (!force && now() - lastFlush < (deps.flushMs ?? 60))) return;
    emit({ type: 'tokens', deltas: [...buffer].map(([sample, text]) => ({ sample, text })) });
    buffer = new Map();
    lastFlush = now();
  };

  const finish = async (seq: Seq, end: SampleEnd) => {
    if (seq.done) return;
    seq.done = true;
    decoder.stop(seq.record.sample);
    seq.record.end = end;
    if (end !== 'cancelled') {
      seq.record.answer = extractAnswer(seq.record.text, format.answerSources) ?? null;
      if (seq.record.answer === null && end === 'answer') seq.record.end = 'no-answer';
      seq.record.value = seq.record.answer === null ? null : await decoder.value(seq.record.sample).catch(() => null);
    }
    flush(true);
    emit({ type: 'sample-finished', sample: seq.record.sample, answer: seq.record.answer, value: seq.record.value, end: seq.record.end });
    python.closeSession(seq.session).catch(() => {});
    const done = outcomes();
    const remaining = seqs.filter((s) => !s.done).length;
    const selection = select(settings.strategy, done);
    emit({ type: 'selection', selection, final: remaining === 0 });
    if (settings.earlyStop && remaining > 0 && done.length > 0 && isDecided(settings.strategy, done, remaining)) {
      for (const other of seqs) {
        if (!other.done) {
          stoppedEarly += 1;
          await finish(other, 'cancelled');
        }
      }
    }
  };

  const execute = (seq: Seq, code: string) => {
    const call = seq.record.codeRuns.length + 1;
    emit({ type: 'code-sent', sample: seq.record.sample, call, code });
    seq.paused = true;
    decoder.pause(seq.record.sample);
    const task = (async () => {
      let run: CodeRun;
      try {
        const result = await python.run(seq.session, code, { timeoutMs: settings.codeTimeoutMs, signal: runAbort.signal });
        run = { call, code, ...result };
      } catch (error) {
        if (seq.done) return;
        const message = error instanceof Error ? error.message : String(error);
        run = { call, code, output: `Error: ${message}`, error: { type: 'SandboxError', message }, truncated: false, timedOut: false, durationMs: 0 };
      }
      if (seq.done) return;
      seq.record.codeRuns.push(run);
      emit({ type: 'code-output', sample: seq.record.sample, run });
      seq.consecutiveErrors = run.error ? seq.consecutiveErrors + 1 : 0;
      const appended = formatOutput(format, run.output);
      seq.record.text += appended;
      buffer.set(seq.record.sample, (buffer.get(seq.record.sample) ?? '') + appended);
      if (seq.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
        await finish(seq, 'no-answer');
        return;
      }
      await decoder.append(seq.record.sample, appended);
      seq.paused = false;
    })();
    pendingRuns.add(task);
    task.finally(() => pendingRuns.delete(task));
  };

  const longestStop = Math.max(format.codeStop.length, ...format.endStrings.map((s) => s.length));

  try {
    emit({ type: 'progress', stage: 'Reading the problem' });
    await decoder.start(buildPrompt(format, request.question), samplers);
    for (const kept of request.resume ?? []) {
      const seq = seqs[kept.sample];
      if (!seq || kept.end === 'cancelled') continue;
      seq.record = structuredClone(kept);
      seq.done = true;
      decoder.stop(kept.sample);
    }
    for (const seq of seqs) if (!seq.done) emit({ type: 'sample-started', sample: seq.record.sample, greedy: seq.record.greedy });

    while (seqs.some((s) => !s.done)) {
      if (deps.signal?.aborted) {
        for (const seq of seqs) await finish(seq, 'cancelled');
        break;
      }
      if (now() - started > settings.timeLimitMs) {
        for (const seq of seqs) if (!seq.done) await finish(seq, 'time-limit');
        break;
      }
      const running = seqs.filter((s) => !s.done && !s.paused);
      if (running.length === 0) {
        // Everyone is waiting for Python.
        if (pendingRuns.size > 0) await Promise.race(pendingRuns);
        continue;
      }
      const out = await decoder.step();
      // A row that `append` resumed while this step waited decoded in it too: read every row with output.
      for (const seq of seqs) {
        if (seq.done || !(out.deltas.has(seq.record.sample) || out.ended.has(seq.record.sample))) continue;
        seq.paused = false;
        const delta = out.deltas.get(seq.record.sample) ?? '';
        seq.record.tokens += 1;
        seq.record.text += delta;
        if (delta) buffer.set(seq.record.sample, (buffer.get(seq.record.sample) ?? '') + delta);
        seq.stopTail = (seq.stopTail + delta).slice(-longestStop - 8);
        if (out.ended.has(seq.record.sample) || format.endStrings.some((e) => seq.stopTail.endsWith(e))) {
          await finish(seq, 'answer');
        } else if (seq.stopTail.endsWith(format.codeStop)) {
          const code = pendingCode(format, seq.record.text);
          if (code === undefined) continue;
          if (seq.record.codeRuns.length >= format.maxCodeCalls) await finish(seq, 'code-limit');
          else execute(seq, code);
        } else if (seq.record.tokens >= settings.maxTokensPerSolution) {
          await finish(seq, 'token-budget');
        }
      }
      flush();
    }
  } catch (error) {
    // The finished solutions survive a lost GPU: the caller resumes with them on another device.
    if (error instanceof GpuDeviceLostError) {
      const finished = seqs.filter((s) => s.done && s.record.end !== 'cancelled').map((s) => s.record);
      throw new GpuDeviceLostError(error.message, { ...(error.hint ? { hint: error.hint } : {}), details: { ...error.details, finished } });
    }
    throw error;
  } finally {
    runAbort.abort();
    await Promise.allSettled([...pendingRuns]);
    flush(true);
    await decoder.dispose().catch(() => {});
  }

  if (deps.signal?.aborted) throw new CancelledError('Solving was stopped.');
  const records = seqs.map((s) => s.record);
  const selection = select(settings.strategy, outcomes());
  const result: SolveResult = {
    question: request.question,
    modelId: request.modelId,
    device: decoder.device,
    settings,
    samples: records,
    selection,
    stoppedEarly,
    durationMs: now() - started,
  };
  emit({ type: 'done', result });
  return result;
}
