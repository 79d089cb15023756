/**
 * Reference-harness transcripts replayed through the solve loop: the model's text of
 * each call comes from tests/fixtures/harness/transcripts.json (recorded by running
 * MARIO's react.py + python_tool.py and Qwen2.5-Math's python_executor.py with the
 * math_eval.py TIR loop on that text, see make_transcripts.py); the loop runs the code
 * in real Python (Pyodide). What the model is fed must match the harness byte for byte.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPyodide } from 'pyodide';
import { Interpreter } from '../../workers/python/interpreter.ts';
import { runSolveLoop, type PythonRunner } from '../../workers/solver/loop.ts';
import { buildPrompt, FORMATS, isSolutionFormatId } from '../../workers/solver/formats.ts';
import type { SolveRequest } from '../../workers/contracts.ts';
import { scriptedDecoder } from '../support/scripted-decoder.ts';

interface Transcript {
  name: string;
  format: string;
  question: string;
  /** The model's text of each generation call, with the stop string it ended at. */
  turns: string[];
  /** Each observation as the harness rendered it. */
  observations: string[];
  /** The harness's whole text: prompt, model text, observations. */
  context: string;
  /** `context` with a last call that ended at a stop string as the model wrote it (vLLM drops the stop string). */
  written: string;
  limitReached?: boolean;
}

const { transcripts } = JSON.parse(readFileSync('tests/fixtures/harness/transcripts.json', 'utf8')) as { transcripts: Transcript[] };

let python: PythonRunner;
beforeAll(async () => {
  const interpreter = await Interpreter.create(await loadPyodide(), { runner: readFileSync('workers/python/runner.py', 'utf8') });
  python = { run: async (s, code) => interpreter.run(s, code), closeSession: async (s) => interpreter.closeSession(s) };
}, 120_000);

const request = (question: string): SolveRequest => ({
  jobId: `job-${Math.random()}`,
  question,
  modelId: 'scripted',
  settings: {
    samples: 1, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 4_000, timeLimitMs: 60_000,
    codeTimeoutMs: 10_000, strategy: 'majority', earlyStop: false, seed: 1,
  },
});

describe('reference harness transcripts, replayed', () => {
  it('covers both reference harnesses', () => {
    expect(new Set(transcripts.map((t) => t.format))).toEqual(new Set(['mario-react', 'qwen25-math-tir']));
  });

  it.each(transcripts.map((t) => [`${t.format}: ${t.name}`, t] as const))('%s', async (_name, t) => {
    if (!isSolutionFormatId(t.format)) throw new Error(`unknown format ${t.format}`);
    const format = FORMATS[t.format];
    const decoder = scriptedDecoder([t.turns], { whole: [format.codeStop, ...format.endStrings] });
    const result = await runSolveLoop(request(t.question), { format, decoder, python, emit: () => {} });
    const record = result.samples[0]!;
    expect(buildPrompt(format, t.question) + record.text).toBe(t.written);
    // The model was fed exactly that, up to where it stopped being fed.
    expect(t.written.startsWith(decoder.context(0))).toBe(true);
    expect(decoder.context(0).length).toBeGreaterThan(buildPrompt(format, t.question).length);
    expect(record.codeRuns.map((r) => r.output)).toEqual(t.observations);
    expect(decoder.bos).toBe(format.bos);
    if (t.limitReached) expect(record.end).toBe('code-limit');
  });
});
