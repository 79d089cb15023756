/**
 * The tool-integrated reasoning loop for one problem: N solutions decoded together;
 * a solution that closes a code block is paused, its code runs in its own Python
 * session, the output is appended as the format prescribes, and it resumes while
 * the others keep decoding. Each solution is kept as segments (the model's text,
 * code output, the format's text around it): answers and code blocks are read from
 * the model's text only, so output that imitates the format's markers never acts. Answers are graded and grouped as they finish, and the
 * remaining samples are cancelled once the chosen answer can no longer change.
 *
 * Transport-free: the decoder and the Python runner are passed in, so the same loop
 * runs in the browser worker and in Node tests.
 */
import type { CodeRun, ModelResult, SampleEnd, SampleRecord, Segment, SegmentKind, SolveRequest, SolverEvent } from '../contracts.ts';
import type { DecodeSession, PythonRunResult, SamplerSpec } from '../types.ts';
import { CancelledError, GpuDeviceLostError } from '../common/errors.ts';
import { extractAnswer } from './answer.ts';
import { buildPrompt, outputSegments, pendingCode, type SolutionFormat } from './formats.ts';
import { observation, program } from './harness.ts';
import { appendSegment, modelText } from './segments.ts';
import { isDecided, select, type SampleOutcome } from './selection.ts';
import { confidenceSample, modelConfidence } from './confidence.ts';
import { resolveSettings } from './settings.ts';
import type { Manifest } from '../model/manifest.ts';

export interface PythonRunner {
  run(session: string, code: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<PythonRunResult>;
  closeSession(session: string): Promise<void>;
}

export interface LoopDeps {
  format: SolutionFormat;
  decoder: DecodeSession;
  python: PythonRunner;
  emit: (event: SolverEvent) => void;
  signal?: AbortSignal;
  /**
   * The package's measured selection (its manifest's `selection`): the strategy behind the 'package'
   * setting, and the thresholds for a "likely" answer; without them no answer is likely.
   */
  packageSelection?: Manifest['selection'];
  /** Token deltas are sent at most this often (ms); default 60. */
  flushMs?: number;
  now?: () => number;
}

interface Seq {
  record: SampleRecord & { segments: Segment[] };
  session: string;
  stopTail: string;
  /** What the model wrote since the last output (or the start): where a code block is looked for. */
  call: string;
  /** Tokens the model wrote since the last output (or the start): the format's per-call budget. */
  callTokens: number;
  paused: boolean;
  done: boolean;
  consecutiveErrors: number;
}

export async function runSolveLoop(request: SolveRequest, deps: LoopDeps): Promise<ModelResult> {
  const { format, decoder, python, emit } = deps;
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const settings = resolveSettings(request.settings, deps.packageSelection);
  const samplers: SamplerSpec[] = [];
  for (let i = 0; i < settings.samples; i += 1) samplers.push({ seed: settings.seed + i, temperature: settings.temperature, topP: settings.topP });
  if (settings.greedy) samplers.push({ seed: settings.seed, temperature: 0, topP: 1 });

  const seqs: Seq[] = samplers.map((s, i) => ({
    record: { sample: i, greedy: s.temperature === 0, text: '', segments: [], codeRuns: [], answer: null, value: null, end: 'no-answer', tokens: 0 },
    session: `${request.jobId}:${i}`,
    stopTail: '',
    call: '',
    callTokens: 0,
    paused: false,
    done: false,
    consecutiveErrors: 0,
  }));
  const pendingRuns = new Set<Promise<void>>();
  const runAbort = new AbortController();
  const outcomes = (): SampleOutcome[] =>
    seqs.filter((s) => s.done && s.record.end !== 'cancelled').map((s) => ({ id: s.record.sample, answer: s.record.answer, value: s.record.value, greedy: s.record.greedy }));
  let stoppedEarly = 0;

  // Batched token stream: per sample, the segments written since the last flush.
  let buffer = new Map<number, Segment[]>();
  let lastFlush = now();
  const flush = (force = false) => {
    if (buffer.size === 0 || (!force && now() - lastFlush < (deps.flushMs ?? 60))) return;
    const deltas = [...buffer].flatMap(([sample, segments]) =>
      segments.map((s) => ({ sample, text: s.text, ...(s.kind === 'model' ? {} : { kind: s.kind }), ...(s.error ? { error: true } : {}) })),
    );
    emit({ type: 'tokens', deltas });
    buffer = new Map();
    lastFlush = now();
  };

  /** Adds text to a solution: its record, its segments and the token stream. */
  const write = (seq: Seq, kind: SegmentKind, text: string, error = false) => {
    if (!text) return;
    seq.record.text += text;
    appendSegment(seq.record.segments, kind, text, error);
    const pending = buffer.get(seq.record.sample) ?? [];
    appendSegment(pending, kind, text, error);
    buffer.set(seq.record.sample, pending);
    if (kind === 'model') seq.call += text;
    else {
      seq.call = '';
      seq.callTokens = 0;
      seq.stopTail = '';
    }
  };

  const finish = async (seq: Seq, end: SampleEnd, withAnswer = true) => {
    if (seq.done) return;
    seq.done = true;
    decoder.stop(seq.record.sample);
    seq.record.end = end;
    if (end !== 'cancelled') {
      seq.record.answer = withAnswer ? (extractAnswer(modelText(seq.record.segments), format.answerSources) ?? null) : null;
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
      let shown: { text: string; error: boolean };
      try {
        const result = await python.run(seq.session, program(format, code), { timeoutMs: settings.codeTimeoutMs, signal: runAbort.signal });
        shown = observation(format, result);
        run = { call, code, output: shown.text, truncated: result.truncated, timedOut: result.timedOut, durationMs: result.durationMs };
        if (result.error) run.error = result.error;
        else if (shown.error) run.error = { type: 'Error', message: shown.text };
      } catch (error) {
        if (seq.done) return;
        const message = error instanceof Error ? error.message : String(error);
        shown = { text: `Error: ${message}`, error: true };
        run = { call, code, output: shown.text, error: { type: 'SandboxError', message }, truncated: false, timedOut: false, durationMs: 0 };
      }
      if (seq.done) return;
      seq.record.codeRuns.push(run);
      emit({ type: 'code-output', sample: seq.record.sample, run });
      seq.consecutiveErrors = shown.error ? seq.consecutiveErrors + 1 : 0;
      const segments = outputSegments(format, shown.text, shown.error);
      for (const s of segments) write(seq, s.kind, s.text, s.error);
      if (format.maxConsecutiveErrors !== null && seq.consecutiveErrors >= format.maxConsecutiveErrors) {
        await finish(seq, 'no-answer');
        return;
      }
      if (format.codeLimit === 'end-after' && seq.record.codeRuns.length >= format.maxCodeCalls) {
        write(seq, 'format', format.limitNotice);
        await finish(seq, 'code-limit');
        return;
      }
      await decoder.append(seq.record.sample, segments.map((s) => s.text).join(''));
      seq.paused = false;
    })();
    pendingRuns.add(task);
    task.finally(() => pendingRuns.delete(task));
  };

  const longestStop = Math.max(format.codeStop.length, ...format.endStrings.map((s) => s.length));

  try {
    emit({ type: 'progress', stage: 'Reading the problem' });
    await decoder.start(buildPrompt(format, request.question) + format.primer, samplers, { bos: format.bos });
    for (const kept of request.resume ?? []) {
      const seq = seqs[kept.sample];
      if (!seq || kept.end === 'cancelled') continue;
      seq.record = { ...structuredClone(kept), segments: structuredClone(kept.segments ?? [{ kind: 'model', text: kept.text }]) };
      seq.done = true;
      decoder.stop(kept.sample);
    }
    for (const seq of seqs) {
      if (seq.done) continue;
      emit({ type: 'sample-started', sample: seq.record.sample, greedy: seq.record.greedy, format: format.id });
      write(seq, 'format', format.primer);
    }

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
        seq.callTokens += 1;
        write(seq, 'model', delta);
        seq.stopTail = (seq.stopTail + delta).slice(-longestStop - 8);
        if (out.ended.has(seq.record.sample) || format.endStrings.some((e) => seq.stopTail.endsWith(e))) {
          await finish(seq, 'answer');
        } else if (seq.stopTail.endsWith(format.codeStop)) {
          const code = pendingCode(format, seq.call);
          if (code === undefined) continue;
          const blocked = format.answerBlocksCode;
          if (blocked && seq.call.includes(blocked.marker)) await finish(seq, 'answer', blocked.answer);
          else if (seq.record.codeRuns.length >= format.maxCodeCalls) await finish(seq, 'code-limit');
          else execute(seq, code);
        } else if (format.maxTokensPerCall !== null ? seq.callTokens >= format.maxTokensPerCall : seq.record.tokens >= settings.maxTokensPerSolution) {
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
  const result: ModelResult = {
    method: 'model',
    question: request.question,
    modelId: request.modelId,
    format: format.id,
    device: decoder.device,
    settings,
    samples: records,
    selection,
    confidence: modelConfidence({ selection, samples: records.map((r) => confidenceSample(r, request.question)), thresholds: deps.packageSelection?.confidence }),
    stoppedEarly,
    durationMs: now() - started,
  };
  emit({ type: 'done', result });
  return result;
}
