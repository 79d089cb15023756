/**
 * The whole tool-integrated loop in Node with real parts: the demo package on ONNX
 * Runtime, the batched decoder, and real Python (Pyodide) executing the code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runSolveLoop, type PythonRunner } from '../../workers/solver/loop.ts';
import { FORMATS, type SolutionFormat } from '../../workers/solver/formats.ts';
import type { SolveRequest, SolverEvent } from '../../workers/contracts.ts';
import { DEMO_ID as ID, loadDemoModel, type DemoModel } from '../support/demo-model.ts';
import { DEMO_PROBLEM } from '../support/demo-problem.ts';
import { scriptedDecoder } from '../support/scripted-decoder.ts';

let demo: DemoModel;
let python: PythonRunner;
let codeRuns = 0;

beforeAll(async () => {
  demo = await loadDemoModel();
  python = {
    run: async (s, code, options) => {
      codeRuns += 1;
      return demo.python.run(s, code, options);
    },
    closeSession: (s) => demo.python.closeSession(s),
  };
}, 120_000);
const decoder = () => demo.decoder();

const request = (question: string, samples: number, overrides: Partial<SolveRequest['settings']> = {}): SolveRequest => ({
  jobId: `job-${Math.random()}`,
  question,
  modelId: ID,
  settings: {
    samples, greedy: true, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 200, timeLimitMs: 120_000,
    codeTimeoutMs: 10_000, strategy: 'outlier-free-ovm', earlyStop: false, seed: 3, ...overrides,
  },
});

describe('solve loop', () => {
  it('samples, runs code, feeds outputs back in MARIO format, grades and selects', async () => {
    const events: SolverEvent[] = [];
    const before = codeRuns;
    const result = await runSolveLoop(request(DEMO_PROBLEM, 4), {
      format: FORMATS.mario, decoder: decoder(), python, emit: (e) => events.push(e),
    });
    expect(result.samples).toHaveLength(5);
    expect(result.samples.filter((s) => s.greedy)).toHaveLength(1);
    expect(codeRuns).toBeGreaterThan(before);
    const withCode = result.samples.filter((s) => s.codeRuns.length > 0);
    expect(withCode.length).toBeGreaterThan(0);
    for (const s of withCode) {
      for (const run of s.codeRuns) expect(s.text).toContain(`</code>\nOutput: ${run.output}\n\n`);
    }
    const types = new Set(events.map((e) => e.type));
    for (const t of ['progress', 'sample-started', 'tokens', 'code-sent', 'code-output', 'sample-finished', 'selection', 'done']) expect(types).toContain(t);
    // Token text arrives in batches, not one message per token.
    const tokenEvents = events.filter((e) => e.type === 'tokens').length;
    const tokens = result.samples.reduce((a, s) => a + s.tokens, 0);
    expect(tokenEvents).toBeLessThan(tokens);
    expect(result.selection.clusters.reduce((a, c) => a + c.count, 0) + result.selection.noAnswer).toBe(5);
    for (const s of result.samples) if (s.answer !== null) expect(s.value).not.toBeNull();
  }, 180_000);

  it('ends a solution that runs past its token budget as "no answer"', async () => {
    const result = await runSolveLoop(request('What is 7 + 8?', 2, { maxTokensPerSolution: 8, greedy: false }), {
      format: FORMATS.mario, decoder: decoder(), python, emit: () => {},
    });
    for (const s of result.samples) {
      expect(s.end).toBe('token-budget');
      expect(s.tokens).toBe(8);
    }
    expect(result.selection.chosen).toBeNull();
  }, 60_000);

  it('cancels at once and reports CancelledError', async () => {
    const controller = new AbortController();
    const pending = runSolveLoop(request('A shop has 500 apples and sells 20 each day for 3 days. How many are left?', 8), {
      format: FORMATS.mario, decoder: decoder(), python, emit: (e) => {
        if (e.type === 'tokens') controller.abort();
      }, signal: controller.signal,
    });
    await expect(pending).rejects.toThrow(/stopped/);
  }, 60_000);
});

describe('solve loop branches, with a scripted model and real Python', () => {
  const code = (body: string) => `<p>\nCompute.\n</p>\n\n<code>\n\`\`\`python\n${body}\n\`\`\`\n</code>`;
  const scripted = (format: SolutionFormat, scripts: string[][]) => scriptedDecoder(scripts, { whole: [format.codeStop, ...format.endStrings] });

  it('ends a solution after 3 failing blocks in a row (the demo format), and runs no 4th', async () => {
    const f = FORMATS.mario;
    const result = await runSolveLoop(request('Q', 1, { greedy: false }), {
      format: f, decoder: scripted(f, [[code('1 / 0'), code('undefined_name'), code('int("x")'), code('print(4)'), '<p>\nFinal Answer: $4$\n</p>']]), python, emit: () => {},
    });
    const s = result.samples[0]!;
    expect(s.codeRuns.map((r) => r.error?.type)).toEqual(['ZeroDivisionError', 'NameError', 'ValueError']);
    expect(s.end).toBe('no-answer');
    expect(s.answer).toBeNull();
  });

  it('keeps going after failing blocks where the reference harness has no such rule (mario-react)', async () => {
    const f = FORMATS['mario-react'];
    const step = (body: string) => `Compute.\n</p>\n<code>\n\`\`\`python\n${body}\n\`\`\`\n</code>`;
    const result = await runSolveLoop(request('Q', 1, { greedy: false }), {
      format: f, decoder: scripted(f, [[step('1 / 0'), step('undefined_name'), step('int("x")'), step('print(4)'), 'Final Answer: $4$\n</p>']]), python, emit: () => {},
    });
    const s = result.samples[0]!;
    expect(s.codeRuns.map((r) => r.output)).toEqual(['ZeroDivisionError: division by zero', "NameError: name 'undefined_name' is not defined", "ValueError: invalid literal for int() with base 10: 'x'", '4\n']);
    expect(s.answer).toBe('4');
  });

  it('refuses a 9th code block in the demo format and ends the solution as "too many code runs"', async () => {
    const f = FORMATS.mario;
    const turns = Array.from({ length: 9 }, (_, i) => code(`print(${i})`));
    const result = await runSolveLoop(request('Q', 1, { greedy: false }), { format: f, decoder: scripted(f, [[...turns, '<p>\nFinal Answer: $8$\n</p>']]), python, emit: () => {} });
    const s = result.samples[0]!;
    expect(s.codeRuns.map((r) => r.output)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(s.end).toBe('code-limit');
  });

  it('stops the remaining samples early once the majority answer cannot change', async () => {
    const f = FORMATS.mario;
    const answer = '<p>\nFinal Answer: $42$\n</p>';
    const long = `<p>\n${'still thinking '.repeat(200)}`;
    const events: SolverEvent[] = [];
    const result = await runSolveLoop(request('Q', 5, { greedy: false, earlyStop: true, strategy: 'majority', maxTokensPerSolution: 5_000 }), {
      format: f, decoder: scripted(f, [[answer], [answer], [answer], [long], [long]]), python, emit: (e) => events.push(e),
    });
    expect(result.stoppedEarly).toBe(2);
    expect(result.samples.map((s) => s.end)).toEqual(['answer', 'answer', 'answer', 'cancelled', 'cancelled']);
    expect(result.selection.chosen?.answer).toBe('42');
    expect(result.format).toBe('mario');
  });
});
