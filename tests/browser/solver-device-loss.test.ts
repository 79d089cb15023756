/**
 * A GPU lost in the middle of a solve (here: the software adapter's device destroyed,
 * as a driver reset would) through the real solver worker: the client replaces the
 * worker, goes on with WebAssembly, says so with a `restarted` event, and finishes.
 * (That solutions finished before a loss are kept is tested in tests/unit/solver-resume.test.ts:
 * the demo model's samples tend to finish in the same step, leaving no window here.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SolverClient } from '../../workers/solver/client.ts';
import type { SolveRequest, SolverEvent } from '../../workers/contracts.ts';
import { modelResult } from '../support/model-result.ts';

const client = new SolverClient();
afterAll(() => client.dispose());

describe('solver on a lost GPU', () => {
  it('goes on with WebAssembly and finishes every solution', async () => {
    // The automatic choice takes WebAssembly over a software adapter: ask for WebGPU.
    client.preferDevice('webgpu');
    const request: SolveRequest = {
      jobId: 'gpu-lost',
      question: 'Elif wants a bike that costs $610. Elif has $31 saved and saves $50 each week. How many weeks until Elif can buy the bike?',
      modelId: 'demo-mario-tiny',
      settings: { samples: 2, greedy: true, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 320, timeLimitMs: 300_000, codeTimeoutMs: 5_000, strategy: 'outlier-free-ovm', earlyStop: false, seed: 11 },
    };
    const events: SolverEvent[] = [];
    let lost: Promise<boolean> | undefined;
    const result = modelResult(await client.solve(request, (e) => {
      events.push(e);
      // Python has answered: the model is decoding again on the GPU.
      if (e.type === 'code-output' && !lost) lost = client.simulateDeviceLoss();
    }));
    expect(await lost).toBe(true);
    const restarted = events.find((e): e is Extract<SolverEvent, { type: 'restarted' }> => e.type === 'restarted');
    expect(restarted).toMatchObject({ device: 'wasm', reason: expect.stringMatching(/GPU stopped working.*CPU/) });
    const finishedBefore = events.slice(0, events.indexOf(restarted!)).filter((e) => e.type === 'sample-finished').map((e) => (e as { sample: number }).sample);
    expect(restarted!.kept.sort()).toEqual(finishedBefore.sort());
    // The rest was decoded again on WebAssembly and finished.
    expect(result.device).toBe('wasm');
    expect(result.samples).toHaveLength(3);
    for (const s of result.samples) expect(s.end).not.toBe('cancelled');
    const after = events.slice(events.indexOf(restarted!));
    const restartedSamples = result.samples.filter((s) => !restarted!.kept.includes(s.sample)).map((s) => s.sample);
    expect(after.filter((e) => e.type === 'sample-started').map((e) => (e as { sample: number }).sample).sort()).toEqual(restartedSamples.sort());
    expect(result.selection.chosen).toBeDefined();
    console.log(`lost GPU: kept ${restarted!.kept.length} finished solution(s); answer ${result.selection.chosen?.answer}`);
  }, 420_000); // every sample gets a restored interpreter, on 2 cores shared with the rest of the suite
});
