/**
 * The solve loop with the real demo model on ONNX Runtime's CPU backend and real Python.
 *
 * Every token the decoder produced is in the solution text, in order, with each code
 * output where it was appended (Python here answers fast enough to resume a row while
 * the next step is already waiting).
 *
 * A lost GPU mid-solve, in the solve loop itself (the real demo model on ONNX Runtime's
 * CPU backend, real Python): the error carries the solutions finished before the loss,
 * and a new loop given them as `resume` keeps them as they were and decodes only the rest.
 * The loss is injected by a decoder that fails the way a guarded WebGPU session does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runSolveLoop } from '../../workers/solver/loop.ts';
import type { DecodeSession } from '../../workers/types.ts';
import { FORMATS } from '../../workers/solver/formats.ts';
import { GpuDeviceLostError } from '../../workers/common/errors.ts';
import type { SampleRecord, SolveRequest, SolverEvent } from '../../workers/contracts.ts';
import { DEMO_ID as ID, loadDemoModel, type DemoModel } from '../support/demo-model.ts';

let demo: DemoModel;
beforeAll(async () => {
  demo = await loadDemoModel();
}, 120_000);
const decoder = () => demo.decoder();

/** Sample 0 ends after a few tokens (as at an end-of-text token); on the next step the GPU is lost. */
function losingDevice(inner: DecodeSession): DecodeSession {
  const LOST_AT = 6;
  let steps = 0;
  return {
    device: inner.device,
    start: (prompt, samplers) => inner.start(prompt, samplers),
    pause: (sequence) => inner.pause(sequence),
    append: (sequence, text) => inner.append(sequence, text),
    value: (sequence) => inner.value(sequence),
    dispose: () => inner.dispose(),
    stop: (sequence) => inner.stop(sequence),
    step: async () => {
      steps += 1;
      if (steps > LOST_AT) throw new GpuDeviceLostError('The GPU stopped working (device destroyed).');
      const out = await inner.step();
      if (steps === LOST_AT) out.ended.add(0);
      return out;
    },
  };
}

const QUESTION = 'A jacket costs $335. It is on sale for 40% off, and then a 10% tax is added to the sale price. What is the final price in dollars?';
const request = (resume?: SampleRecord[]): SolveRequest => ({
  jobId: 'resume', question: QUESTION, modelId: ID,
  settings: { samples: 6, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 320, timeLimitMs: 120_000, codeTimeoutMs: 10_000, strategy: 'outlier-free-ovm', earlyStop: false, seed: 3 },
  ...(resume ? { resume } : {}),
});

describe('solve loop after a lost GPU', () => {
  it('keeps the finished solutions and decodes only the others', async () => {
    let lost: GpuDeviceLostError | undefined;
    try {
      await runSolveLoop(request(), { format: FORMATS.mario, decoder: losingDevice(decoder()), python: demo.python, emit: () => {} });
    } catch (error) {
      lost = error as GpuDeviceLostError;
    }
    expect(lost).toBeInstanceOf(GpuDeviceLostError);
    const finished = lost!.details!.finished as SampleRecord[];
    expect(finished.map((r) => r.sample)).toEqual([0]);
    expect(finished[0]!.text.length).toBeGreaterThan(0);

    const events: SolverEvent[] = [];
    const result = await runSolveLoop(request(finished), { format: FORMATS.mario, decoder: decoder(), python: demo.python, emit: (e) => events.push(e) });
    for (const kept of finished) expect(result.samples[kept.sample]).toEqual(kept);
    const started = events.filter((e) => e.type === 'sample-started').map((e) => (e as { sample: number }).sample);
    expect(started.sort()).toEqual(result.samples.map((s) => s.sample).filter((s) => !finished.some((k) => k.sample === s)).sort());
    for (const s of result.samples) expect(s.end).not.toBe('cancelled');
    console.log(`kept ${finished.length} of 6 solutions across the loss; ends ${result.samples.map((s) => `${s.end}:${s.answer}`).join(", ")}`);
  }, 120_000);
});

/** Records, per sample, the text the decoder produced and the text appended to it, in order. */
function recording(inner: DecodeSession): DecodeSession & { texts: Map<number, string> } {
  const texts = new Map<number, string>();
  const add = (sample: number, text: string) => texts.set(sample, (texts.get(sample) ?? '') + text);
  return {
    texts,
    device: inner.device,
    start: (prompt, samplers) => inner.start(prompt, samplers),
    pause: (sequence) => inner.pause(sequence),
    append: (sequence, text) => {
      add(sequence, text);
      return inner.append(sequence, text);
    },
    value: (sequence) => inner.value(sequence),
    dispose: () => inner.dispose(),
    stop: (sequence) => inner.stop(sequence),
    step: async () => {
      const out = await inner.step();
      for (const [sample, text] of out.deltas) add(sample, text);
      return out;
    },
  };
}

describe('solve loop text', () => {
  it('keeps every decoded token and every code output, in order', async () => {
    const session = recording(decoder());
    const result = await runSolveLoop(request(), { format: FORMATS.mario, decoder: session, python: demo.python, emit: () => {} });
    expect(result.samples.some((s) => s.codeRuns.length > 0)).toBe(true);
    for (const s of result.samples) {
      // A solution ended by its code-error limit has its last output in the text but never appended.
      const last = s.codeRuns.at(-1);
      const tail = s.end === 'no-answer' && last && !session.texts.get(s.sample)?.endsWith(last.output) ? s.text.slice((session.texts.get(s.sample) ?? '').length) : '';
      expect(s.text).toBe((session.texts.get(s.sample) ?? '') + tail);
    }
  }, 120_000);
});
