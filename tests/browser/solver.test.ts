/**
 * The solver in real Chromium: the demo model on ONNX Runtime Web and the sandboxed
 * Python pool. A sample whose code hangs or floods output must not stall the others,
 * and a cancelled solve must leave nothing running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../workers/model/load.ts';
import { BatchDecoder } from '../../workers/model/decoder.ts';
import { detectGpu } from '../../workers/common/env.ts';
import { PythonPool } from '../../workers/python/pool.ts';
import { runSolveLoop, type PythonRunner } from '../../workers/solver/loop.ts';
import { FORMATS } from '../../workers/solver/formats.ts';
import { SolverService } from '../../workers/solver/service.ts';
import type { SolveRequest, SolverEvent } from '../../workers/contracts.ts';
import { DEMO_PROBLEM as QUESTION } from '../support/demo-problem.ts';
import { modelResult } from '../support/model-result.ts';

let model: LoadedModel;
let pool: PythonPool;

const request = (overrides: Partial<SolveRequest['settings']> = {}): SolveRequest => ({
  jobId: `job-${Math.random()}`,
  question: QUESTION,
  modelId: 'demo-mario-tiny',
  settings: { samples: 4, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 320, timeLimitMs: 120_000, codeTimeoutMs: 1_500, strategy: 'outlier-free-ovm', earlyStop: false, seed: 5, ...overrides },
});

beforeAll(async () => {
  model = await loadModel('/models/', 'demo-mario-tiny', await detectGpu(), () => {});
  pool = new PythonPool({ size: 2 });
  await pool.warm();
}, 120_000);
afterAll(() => pool?.dispose());

describe('solver in the browser', () => {
  it.each([
    ['hangs', 'while True:\n    pass', /^TimeoutError/],
    ['floods output', 'print("x" * 10**7)', /^x{400}\.\.\.$/],
  ])('a sample whose code %s does not stall the others', async (_name, hostile, expected) => {
    // Sample 0's code is replaced by hostile code; the model and the sandbox are real.
    const python: PythonRunner = {
      run: (session, code, options) => pool.run(session, session.endsWith(':0') ? hostile : code, options),
      closeSession: (session) => pool.closeSession(session),
    };
    const started = performance.now();
    const result = await runSolveLoop(request(), {
      format: FORMATS.mario,
      decoder: new BatchDecoder(model.ort, model.session, model.tokenizer, model.shape, model.device),
      python,
      emit: () => {},
    });
    const hostileRuns = result.samples[0]!.codeRuns;
    expect(hostileRuns.length).toBeGreaterThan(0);
    expect(hostileRuns[0]!.output).toMatch(expected);
    for (const s of result.samples.slice(1)) {
      expect(s.end).not.toBe('time-limit');
      expect(s.codeRuns.every((r) => !r.timedOut)).toBe(true);
    }
    expect(result.samples.slice(1).some((s) => s.answer !== null)).toBe(true);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('cancel stops at once, and the next solve starts promptly', async () => {
    const service = new SolverService({ modelsBaseUrl: '/models/' });
    await service.warm('demo-mario-tiny', () => {});
    const first = request();
    let sawTokens = false;
    const cancelled = service.solve(first, (e: SolverEvent) => {
      if (e.type === 'tokens' && !sawTokens) {
        sawTokens = true;
        void service.cancel(first.jobId);
      }
    });
    await expect(cancelled).rejects.toThrow(/stopped/);
    const started = performance.now();
    let firstTokenAt = 0;
    const second = await service.solve(request({ seed: 9 }), (e) => {
      if (e.type === 'tokens' && !firstTokenAt) firstTokenAt = performance.now() - started;
    });
    expect(modelResult(second).samples).toHaveLength(4);
    expect(firstTokenAt).toBeGreaterThan(0);
    expect(firstTokenAt).toBeLessThan(10_000);
  }, 120_000);
});
