/**
 * Qwen2.5-Math's TIR budget as its harness gives it (math_eval.py: max_tokens_per_call 2048 over up
 * to max_func_call 4 calls, the tokens counted per call) and its rule that only a closed block runs
 * (the code ends with its closing fence before the ```output stop). Scripted model text, the loop
 * and real Python (Pyodide); each scripted step is one token.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPyodide } from 'pyodide';
import { Interpreter } from '../../workers/python/interpreter.ts';
import { runSolveLoop, type PythonRunner } from '../../workers/solver/loop.ts';
import { FORMATS, pendingCode } from '../../workers/solver/formats.ts';
import type { SolveRequest } from '../../workers/contracts.ts';
import { scriptedDecoder } from '../support/scripted-decoder.ts';

let python: PythonRunner;
let runs = 0;
beforeAll(async () => {
  const interpreter = await Interpreter.create(await loadPyodide(), { runner: readFileSync('workers/python/runner.py', 'utf8') });
  python = {
    run: async (s, code) => {
      runs += 1;
      return interpreter.run(s, code);
    },
    closeSession: async (s) => interpreter.closeSession(s),
  };
}, 120_000);

const format = FORMATS['qwen25-math-tir'];
const request = (): SolveRequest => ({
  jobId: `job-${Math.random()}`,
  question: 'Compute 6 * 7.',
  modelId: 'scripted',
  // The page's default whole-solution budget (web/lib/defaults.ts) is far below what the harness gives a TIR solution.
  settings: { samples: 1, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 400, timeLimitMs: 120_000, codeTimeoutMs: 10_000, strategy: 'majority', earlyStop: false, seed: 1 },
});
/** `n` one-character steps of reasoning text. */
const words = (n: number) => 'x'.repeat(n);

describe('Qwen2.5-Math TIR budget and closed code blocks', () => {
  it('follows the harness: 2,048 new tokens per call, counted again after each output', async () => {
    expect(format.maxTokensPerCall).toBe(2048);
    expect(format.maxCodeCalls).toBe(4);
    const call1 = `${words(1900)}\n\`\`\`python\nprint(6 * 7)\n\`\`\`\n\`\`\`output`;
    const call2 = `${words(1900)} So the answer is $\\boxed{42}$.`;
    const decoder = scriptedDecoder([[call1, call2]], { chunk: 1, whole: [format.codeStop, ...format.endStrings] });
    const result = await runSolveLoop(request(), { format, decoder, python, emit: () => {} });
    const sample = result.samples[0]!;
    expect(sample.codeRuns.map((r) => r.output)).toEqual(['42']);
    expect(sample.tokens).toBeGreaterThan(3800);
    expect(sample.answer).toBe('42');
  }, 60_000);

  it('ends a call that reaches 2,048 tokens without a stop, with no answer', async () => {
    const decoder = scriptedDecoder([[`${words(2100)} $\\boxed{1}$`]], { chunk: 1, whole: [format.codeStop, ...format.endStrings] });
    const result = await runSolveLoop(request(), { format, decoder, python, emit: () => {} });
    expect(result.samples[0]!.end).toBe('token-budget');
    expect(result.samples[0]!.tokens).toBe(2048);
    expect(result.samples[0]!.answer).toBeNull();
  }, 60_000);

  it('runs a block only when it is closed before the ```output stop', async () => {
    expect(pendingCode(format, 'Try.\n```python\nprint(1)\n```\n```output')).toBe('print(1)');
    // The ```output fence is not the block's closing fence.
    expect(pendingCode(format, 'Try.\n```python\nprint(1)\n```output')).toBeUndefined();
    expect(pendingCode(format, 'Try.\n```python\nprint(1)\nprint(2)```output')).toBeUndefined();
    const before = runs;
    const unclosed = 'Try.\n```python\nprint(1 / 0)```output';
    const decoder = scriptedDecoder([[unclosed, '\nThe answer is $\\boxed{5}$.']], { chunk: 1, whole: [format.codeStop, ...format.endStrings] });
    const result = await runSolveLoop(request(), { format, decoder, python, emit: () => {} });
    expect(runs).toBe(before);
    expect(result.samples[0]!.codeRuns).toEqual([]);
  }, 60_000);

  it("takes the harness's top_p where the repository's generation_config.json names none", () => {
    expect(format.topP).toBe(0.8);
    expect(FORMATS['mario-react'].maxTokensPerCall).toBeNull();
  });
});
