/**
 * The page shows every model's own format, in real Chromium: a Qwen2.5-Math tool-integrated solution
 * (a scripted model in that format, its code run by the sandboxed pool) is shown in the answer view
 * with its code step and the code's output, and the step split and answer follow Qwen's format (the
 * view takes the format the result names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { PythonPool } from '../../workers/python/pool.ts';
import { runSolveLoop } from '../../workers/solver/loop.ts';
import { FORMATS } from '../../workers/solver/formats.ts';
import AnswerView from '../../web/components/AnswerView.svelte';
import type { SolveRequest } from '../../workers/contracts.ts';
import { scriptedDecoder } from '../support/scripted-decoder.ts';

let pool: PythonPool;
beforeAll(async () => {
  pool = new PythonPool({ size: 1 });
  await pool.warm();
}, 120_000);
afterAll(() => pool?.dispose());

const request: SolveRequest = {
  jobId: 'qwen-steps',
  question: 'What is the sum of the first 100 positive integers?',
  modelId: 'scripted',
  settings: { samples: 1, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 2_000, timeLimitMs: 60_000, codeTimeoutMs: 10_000, strategy: 'majority', earlyStop: false, seed: 1 },
};

describe('a Qwen2.5-Math solution on the page', () => {
  it('renders its code step with the output, and its \\boxed answer', async () => {
    const format = FORMATS['qwen25-math-tir'];
    const turns = [
      'We add the integers from 1 to 100 with Python.\n\n```python\nprint(sum(range(1, 101)))\n```\n```output',
      '\nThe sum is $\\boxed{5050}$.',
    ];
    const result = await runSolveLoop(request, {
      format,
      decoder: scriptedDecoder([turns], { whole: [format.codeStop, ...format.endStrings] }),
      emit: () => {},
      python: { run: (s, code, o) => pool.run(s, code, o), closeSession: (s) => pool.closeSession(s) },
    });
    expect(result.format).toBe('qwen25-math-tir');
    const sample = result.samples[0]!;
    expect(sample.answer).toBe('5050');

    const target = document.createElement('div');
    document.body.append(target);
    const view = mount(AnswerView, { target, props: { answer: sample.answer!, solution: sample.segments!, format: FORMATS[result.format as 'qwen25-math-tir'], explanation: '' } });
    flushSync();
    const steps = [...target.querySelectorAll('[data-testid="answer-step"]')];
    const code = target.querySelector('figure.code pre code')?.textContent ?? '';
    const output = target.querySelector('figure.code figcaption pre')?.textContent ?? '';
    const texts = [...target.querySelectorAll('[data-testid="answer-step"] .text')].map((e) => e.textContent ?? '');
    unmount(view);
    target.remove();

    expect(steps).toHaveLength(3);
    expect(code).toBe('print(sum(range(1, 101)))');
    expect(output).toBe('5050');
    expect(texts[0]).toContain('We add the integers from 1 to 100');
    expect(texts.join(' ')).not.toContain('```');

  });
});
