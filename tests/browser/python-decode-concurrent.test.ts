/**
 * Greedy decoding of the demo model on ONNX Runtime Web gives the same tokens whatever runs beside it:
 * alone; while the sandbox restores 8 interpreters (the solver's pool warming and refilling); and with a
 * second decoder of the same session (a second solve) stepping at the same time. Greedy decoding is
 * deterministic, so any difference is corrupted decoding.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { detectGpu } from '../../workers/common/env.ts';
import { BatchDecoder } from '../../workers/model/decoder.ts';
import { loadModel, type LoadedModel } from '../../workers/model/load.ts';
import { PythonPool } from '../../workers/python/pool.ts';
import { SolverService } from '../../workers/solver/service.ts';
import type { SolveRequest } from '../../workers/contracts.ts';
import { DEMO_PROBLEM } from '../support/demo-problem.ts';
import { modelResult } from '../support/model-result.ts';

const PROMPTS = [DEMO_PROBLEM, 'Solve 3x + 5 = 20 for x.', 'A shop sells pens at $3 each. Maria buys 7 pens and pays with $50. How much change does she get?'];
/** Tokens per prompt (fewer on WebGPU: SwiftShader decodes ~10 tokens/s here). */
const STEPS = { wasm: 48, webgpu: 12 } as const;
const models = new Map<string, LoadedModel>();
let pool: PythonPool | undefined;
afterAll(() => pool?.dispose());

async function greedy(model: LoadedModel, prompt: string): Promise<number[]> {
  const steps = STEPS[model.device];
  const decoder = new BatchDecoder(model.ort, model.session, model.tokenizer, model.shape, model.device);
  await decoder.start(prompt, [{ seed: 0, temperature: 0, topP: 1 }]);
  for (let i = 0; i < steps; i++) {
    const { ended } = await decoder.step();
    if (ended.size > 0) break;
  }
  const tokens = decoder.tokensOf(0);
  await decoder.dispose();
  return tokens;
}

const each = (model: LoadedModel) => Promise.all(PROMPTS.map((p) => greedy(model, p)));

describe.each([['wasm'], ['webgpu']] as const)('greedy decoding on %s', (device) => {
  it('gives the same tokens alone, while 8 interpreters restore, and beside another solve', async () => {
    const gpu = await detectGpu();
    if (device === 'webgpu' && !gpu.available) throw new Error(`no WebGPU adapter here: ${gpu.reason}`);
    const model = await loadModel('/models/', 'demo-mario-tiny', gpu, () => {}, { device, ...(device === 'webgpu' ? { dtype: 'fp32' } : {}) });
    models.set(device, model);
    expect(model.device).toBe(device);

    const alone: number[][] = [];
    for (const p of PROMPTS) alone.push(await greedy(model, p));
    expect(alone.every((t) => t.length > 5)).toBe(true);

    // The solver's pool: a snapshot (made on the first backend's run, reused on the second), 8 restores, then
    // solutions taking interpreters and the pool restoring more.
    const template = pool?.template;
    pool?.dispose();
    pool = new PythonPool({ size: 8, ...(template ? { template } : {}) });
    const warming = pool.warm();
    const duringWarm: number[][] = [];
    for (const p of PROMPTS) duringWarm.push(await greedy(model, p));
    const churn = (async () => {
      for (let i = 0; i < 8; i++) {
        await pool!.run(`churn-${i}`, 'print(1)');
        await pool!.closeSession(`churn-${i}`);
      }
    })();
    const duringRestores = await each(model); // three decoders of one session at once, restores beside them
    await Promise.all([warming, churn]);

    expect(duringWarm).toEqual(alone);
    expect(duringRestores).toEqual(alone);
    console.log(`${device}: ${alone.map((t) => t.length).join(', ')} tokens per prompt, identical alone, during restores and side by side; restores ${pool.restoreMs.length}`);
  }, 600_000);
});

describe('a model solve that starts while the sandbox restores its interpreters', () => {
  it('writes the same solutions, values and answers as the same solve once everything is warm', async () => {
    const service = new SolverService({ modelsBaseUrl: '/models/' });
    const request = (jobId: string): SolveRequest => ({
      jobId,
      question: DEMO_PROBLEM,
      modelId: 'demo-mario-tiny',
      // Generous code limits: a limit reached under load would change the text fed back, not the decoding.
      settings: { samples: 4, greedy: true, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 320, timeLimitMs: 300_000, codeTimeoutMs: 30_000, strategy: 'outlier-free-ovm', earlyStop: false, seed: 7 },
    });
    // The value head's score to 4 decimals: a row's last digits follow the batch it was decoded in (when the
    // other rows paused for code), not what ran beside the solve.
    const solutions = (r: Awaited<ReturnType<SolverService['solve']>>) =>
      modelResult(r).samples.map((s) => ({ text: s.text, answer: s.answer, value: s.value === null ? null : Math.round(s.value * 1e4) / 1e4, end: s.end }));
    // Decoding starts at once: the model loads while the trusted interpreter and the pool's 8 restores run.
    const cold = solutions(await service.solve(request('cold'), () => {}));
    const warm = solutions(await service.solve(request('warm'), () => {}));
    expect(cold.length).toBe(5);
    expect(cold.some((s) => s.answer !== null)).toBe(true);
    expect(cold.every((s) => s.value !== null)).toBe(true);
    expect(cold).toEqual(warm);
  }, 600_000);
});
