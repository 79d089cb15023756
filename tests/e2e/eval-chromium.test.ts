/**
 * The evaluation harness's Chromium engine (scripts/eval-chromium.ts) on 12 held-out synthetic
 * problems with 3 samples: the app's dev server, the SolverClient in headless Chromium, the
 * solver worker with ONNX Runtime Web and the Python pool. The summary has every field the
 * Node engine writes, the trace keeps every sample's text and code outputs, and no request
 * left loopback. The demo model must solve at least a quarter of them with outlier-free OVM
 * (package v0.3.0 measured 74.8 % on 500 held-out problems and 21/30 on this fixture with 8 samples).
 */
import { describe, expect, it } from 'vitest';
import { readEvalSet } from '../../scripts/eval-data.ts';
import { buildReport } from '../../scripts/eval-report.ts';
import { evalChromium, staysOnLoopback } from '../../scripts/eval-chromium.ts';
import type { SampleRecord } from '../../workers/contracts.ts';

const SAMPLES = 3;
const PROBLEMS = 12;
const THRESHOLD = 0.25;

describe('evaluation harness, Chromium engine', () => {
  it('tells loopback from the network', () => {
    expect(staysOnLoopback('http://127.0.0.1:5173/eval.html')).toBe(true);
    expect(staysOnLoopback('ws://localhost:5173/')).toBe(true);
    expect(staysOnLoopback('blob:http://127.0.0.1:5173/uuid')).toBe(true);
    expect(staysOnLoopback('https://cdn.jsdelivr.net/pyodide/v0.27.0/full/pyodide.js')).toBe(false);
    expect(staysOnLoopback('http://192.168.1.10/x')).toBe(false);
    expect(staysOnLoopback('http://127.0.0.1.example.org/x')).toBe(false);
  });

  it(`solves ${PROBLEMS} problems through the page pipeline, at least ${THRESHOLD * 100}% right, and reports them like the Node engine`, async () => {
    const items = readEvalSet('tests/fixtures/synthetic-heldout-30.jsonl', PROBLEMS);
    const started = performance.now();
    const run = await evalChromium({ model: 'demo-mario-tiny', samples: SAMPLES }, items);
    const { summary, traces } = buildReport({ model: 'demo-mario-tiny', data: 'fixture', samples: SAMPLES, totalSeconds: (performance.now() - started) / 1000 }, run);

    expect(run.engine).toMatch(/^chromium \((wasm|webgpu)/);
    expect(summary).toMatchObject({ model: 'demo-mario-tiny', samples: SAMPLES, problems: PROBLEMS, engine: run.engine, device: run.device, variant: expect.any(String) });
    for (const key of ['greedy', `majority@${SAMPLES}`, `ovm-best-of-${SAMPLES}`, `outlier-free-ovm@${SAMPLES}`, `pass@${SAMPLES}`, 'noAnswerRate']) {
      expect(summary[key], key).toBeGreaterThanOrEqual(0);
      expect(summary[key], key).toBeLessThanOrEqual(100);
    }
    expect(summary.secondsPerProblem).toBeGreaterThan(0);
    expect(summary).toHaveProperty('valueAuc');

    console.log(`Chromium engine, ${PROBLEMS} held-out problems, ${SAMPLES} samples: outlier-free OVM ${summary[`outlier-free-ovm@${SAMPLES}`]}%, ${Number(summary.secondsPerProblem).toFixed(2)} s per problem`);
    expect(summary[`outlier-free-ovm@${SAMPLES}`] as number).toBeGreaterThanOrEqual(THRESHOLD * 100);
    expect(traces).toHaveLength(PROBLEMS);
    let codeRuns = 0;
    for (const [i, line] of traces.entries()) {
      const trace = JSON.parse(line) as { id: string; gold: string; correct: Record<string, boolean>; samples: SampleRecord[] };
      expect(trace.id).toBe(items[i]!.id);
      expect(Object.keys(trace.correct).sort()).toEqual(['best-of-n', 'greedy', 'majority', 'outlier-free-ovm', 'pass']);
      expect(trace.samples).toHaveLength(SAMPLES + 1); // N sampled + the greedy one
      expect(trace.samples.filter((s) => s.greedy)).toHaveLength(1);
      for (const sample of trace.samples) {
        expect(sample.text.length).toBeGreaterThan(0);
        expect(sample.end).not.toBe('error');
        for (const run of sample.codeRuns) {
          codeRuns += 1;
          expect(run.code.length).toBeGreaterThan(0);
          expect(typeof run.output).toBe('string');
          // The output is fed back into the solution text as the format prescribes.
          expect(sample.text).toContain(run.output.trim().slice(0, 40));
        }
      }
    }
    expect(codeRuns).toBeGreaterThan(0);

    // The monitor saw the workers' own requests (model graph, Python runtime), and none left loopback.
    expect(run.requests.browser.some((url) => url.includes('/models/demo-mario-tiny/onnx/'))).toBe(true);
    expect(run.requests.browser.some((url) => url.endsWith('/pyodide/pyodide.asm.wasm'))).toBe(true);
    expect(run.requests.offLoopback).toEqual([]);
    expect(run.requests.blocked).toEqual([]);
  }, 240_000);
});
