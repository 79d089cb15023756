/**
 * A page that runs all day, in real Chromium: one page, one solver service (real Pyodide interpreters, the real
 * demo model on ONNX Runtime Web), 60 solves in a row: symbolic problems, model solves, solutions whose code runs
 * past its time limit or out of memory (a scripted model writes that code; the sandbox pool and the solve loop are
 * the service's own), and model solves cancelled mid-way. Checked: no page error, no solve that fails with an
 * error the page would show as a banner, every finished solution's interpreter worker terminated (the browser's
 * Worker objects are counted), and memory after the run within 20 % of after the first 10 solves (the browser's
 * resident memory, renderer included, where every interpreter lives; and the page's JavaScript heap).
 *
 * Per-solve budgets are small (2 samples, 96 tokens, 1 s code limit), so the run fits a CI suite on 2 cores.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { SolverService } from '../../workers/solver/service.ts';
import { runSolveLoop } from '../../workers/solver/loop.ts';
import { FORMATS } from '../../workers/solver/formats.ts';
import { CancelledError } from '../../workers/common/errors.ts';
import type { SolveRequest } from '../../workers/contracts.ts';
import type { BrowserMemory } from '../support/browser-memory.ts';
import { scriptedDecoder } from '../support/scripted-decoder.ts';
import { DEMO_PROBLEM, DEMO_ANSWER } from '../support/demo-problem.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    browserMemory: () => Promise<BrowserMemory>;
  }
}

const SOLVES = 60;
const POOL_SIZE = 2;

// Every Python worker the page makes, and whether it was terminated (the browser's own objects, not the pool's books).
const pythonWorkers = new Map<Worker, { name: string; terminated: boolean }>();
const NativeWorker = globalThis.Worker;
globalThis.Worker = class extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    if (options?.name?.startsWith('Python')) pythonWorkers.set(this, { name: options.name, terminated: false });
  }
  override terminate(): void {
    const entry = pythonWorkers.get(this);
    if (entry) entry.terminated = true;
    super.terminate();
  }
};
const live = (pattern: RegExp) => [...pythonWorkers.values()].filter((w) => !w.terminated && pattern.test(w.name)).length;

const pageErrors: string[] = [];
addEventListener('error', (e) => pageErrors.push(e.message));
addEventListener('unhandledrejection', (e) => pageErrors.push(String((e.reason as Error)?.message ?? e.reason)));

const service = new SolverService({ modelsBaseUrl: '/models/', pythonPoolSize: POOL_SIZE, snapshotDb: 'all-day-test' });
afterAll(() => {
  service.dispose();
  globalThis.Worker = NativeWorker;
});

const settings: SolveRequest['settings'] = {
  samples: 2, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 96, timeLimitMs: 60_000, codeTimeoutMs: 1_000,
  strategy: 'package', earlyStop: false, seed: 1,
};
const request = (question: string, seed: number): SolveRequest => ({ jobId: `all-day-${seed}`, question, modelId: 'demo-mario-tiny', settings: { ...settings, seed } });

const SYMBOLIC = [
  ['Solve for x: 3x - 7 = 2x + 5', '12'], ['Solve for x: 4x + 1 = 2x + 9', '4'], ['Solve for x: 5x = 35', '7'], ['Solve for x: 2x + 3 = 11', '4'],
] as const;
const HOSTILE = {
  timeout: 'while True:\n    pass',
  // More than wasm32 memory can ever hold: MemoryError at once, without the machine paying for gigabytes first.
  memory: 'x = [0] * (2**31 - 1)',
};

/** A scripted model whose two solutions run `code`; the service's pool and the real solve loop run it. */
async function hostileSolve(code: string, seed: number) {
  const turns = [`<p>\nCompute it.\n</p>\n\n<code>\n\`\`\`python\n${code}\n\`\`\`\n</code>`, '<p>\nSo it is $\\boxed{1}$.\n</p>'];
  const format = FORMATS.mario;
  const decoder = scriptedDecoder([turns, turns], { whole: [format.codeStop, ...format.endStrings] });
  return runSolveLoop({ ...request('Compute it.', seed), modelId: 'scripted' }, { format, decoder, python: service.pool, emit: () => {} });
}

describe('a page that runs all day (Chromium)', () => {
  it(`solves ${SOLVES} problems in a row with no error, no leaked interpreter, and flat memory`, async () => {
    const kinds = ['symbolic', 'model', 'timeout', 'symbolic', 'memory', 'cancel'] as const;
    const banners: string[] = [];
    const leaks: string[] = [];
    const wrong: string[] = [];
    const counts: Record<string, number> = {};
    let afterTen: BrowserMemory | undefined;
    const started = performance.now();
    for (let i = 0; i < SOLVES; i++) {
      const kind = kinds[i % kinds.length]!;
      counts[kind] = (counts[kind] ?? 0) + 1;
      try {
        if (kind === 'symbolic') {
          const [problem, answer] = SYMBOLIC[i % SYMBOLIC.length]!;
          const result = await service.solve(request(problem, i), () => {});
          if (result.method !== 'symbolic' || result.solution.answer !== answer) wrong.push(`#${i} ${problem}: ${result.method === 'symbolic' ? result.solution.answer : 'answered by the model'}`);
        } else if (kind === 'model') {
          const result = await service.solve(request(DEMO_PROBLEM, i), () => {});
          if (result.method !== 'model') wrong.push(`#${i} model: answered by the ${result.method} solver`);
          else if (result.samples.length < 2) wrong.push(`#${i} model: ${result.samples.length} samples`);
          else if (!result.samples.some((s) => s.answer === DEMO_ANSWER)) wrong.push(`#${i} model: answers ${result.samples.map((s) => s.answer)}`);
        } else if (kind === 'cancel') {
          const job = request(DEMO_PROBLEM, i);
          const solving = service.solve(job, () => {});
          setTimeout(() => void service.cancel(job.jobId), 400);
          const outcome = await solving.then(() => 'finished', (error: unknown) => (error instanceof CancelledError ? 'cancelled' : Promise.reject(error)));
          if (outcome !== 'cancelled') wrong.push(`#${i} cancel: ${outcome}`);
        } else {
          const result = await hostileSolve(HOSTILE[kind], i);
          const outputs = result.samples.map((s) => s.codeRuns[0]?.output ?? '(no run)');
          const expected = kind === 'timeout' ? /^TimeoutError/ : /MemoryError/;
          if (!outputs.every((o) => expected.test(o))) wrong.push(`#${i} ${kind}: ${outputs.join(' | ')}`);
        }
      } catch (error) {
        banners.push(`#${i} ${kind}: ${(error as Error)?.name}: ${(error as Error)?.message}`);
      }
      // Every finished solution's interpreter is terminated: only the pool's ready spares (and the trusted one) live.
      await expect.poll(() => service.pool.openSessions, { timeout: 10_000 }).toBe(0);
      const sandboxes = live(/^Python \d+$/);
      if (sandboxes > POOL_SIZE) leaks.push(`#${i} ${kind}: ${sandboxes} sandbox workers alive`);
      if (i === 9) {
        await service.pool.warm();
        afterTen = await commands.browserMemory();
      }
    }
    await service.pool.warm();
    const after = await commands.browserMemory();
    const status = await service.pythonStatus();
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({
      solves: SOLVES, counts, seconds: Math.round(seconds), afterTen, after,
      rssRatio: Number((after.rssMb / afterTen!.rssMb).toFixed(3)), rendererRatio: Number((after.rendererRssMb / afterTen!.rendererRssMb).toFixed(3)),
      jsHeapRatio: Number((after.jsHeapMb / afterTen!.jsHeapMb).toFixed(3)),
      pythonWorkers: { made: pythonWorkers.size, alive: live(/^Python/), sandboxesAlive: live(/^Python \d+$/) }, status,
      pageErrors, banners, leaks, wrong,
    }));
    expect(pageErrors).toEqual([]);
    expect(banners).toEqual([]);
    expect(leaks).toEqual([]);
    expect(wrong).toEqual([]);
    expect(status.pool.restoreFailures).toBe(0);
    expect(status.pool.restarts).toBeGreaterThanOrEqual(counts['memory']!); // each out-of-memory solution got a fresh interpreter
    expect(live(/^Python \d+$/)).toBeLessThanOrEqual(POOL_SIZE);
    expect(live(/^Python \(trusted\)$/)).toBe(1);
    expect(after.rendererRssMb).toBeLessThanOrEqual(afterTen!.rendererRssMb * 1.2);
    expect(after.rssMb).toBeLessThanOrEqual(afterTen!.rssMb * 1.2);
    expect(after.jsHeapMb).toBeLessThanOrEqual(afterTen!.jsHeapMb * 1.2);
  }, 900_000);
});
