/**
 * The cost of the grounding signal (workers/solver/confidence.ts, groundedCode) per solve: every solution of
 * every problem in the traces given (default: the committed 20-problem smoke traces, 9 solutions each) checked
 * against its problem, repeated, against the cost of the rest of the confidence judgement on the same data
 * (selection + modelConfidence) measured in the same run.
 *
 *   npx tsx bench/grounding.bench.ts [trace.jsonl ...]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { confidenceSample, groundedCode, modelConfidence } from '../workers/solver/confidence.ts';
import { select } from '../workers/solver/selection.ts';
import type { SampleRecord } from '../workers/contracts.ts';

const files = process.argv.slice(2).length ? process.argv.slice(2) : ['bench/results/eval-node-smoke.trace.jsonl', 'bench/results/eval-chromium-smoke.trace.jsonl'];
const rows = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { question: string; samples: SampleRecord[] }));
const REPEAT = 200;
const time = (work: () => void) => {
  const t0 = performance.now();
  for (let i = 0; i < REPEAT; i += 1) work();
  return (performance.now() - t0) / REPEAT / rows.length;
};
let grounded = 0;
const groundingMs = time(() => {
  grounded = 0;
  for (const row of rows) for (const s of row.samples) if (groundedCode(row.question, s.codeRuns)) grounded += 1;
});
const judgementMs = time(() => {
  for (const row of rows) {
    const selection = select('greedy', row.samples.map((s) => ({ id: s.sample, answer: s.answer, value: s.value, greedy: s.greedy })));
    modelConfidence({ selection, samples: row.samples.map((s) => confidenceSample(s, row.question)), thresholds: { minAgreement: 0.75, minValue: 0.4, minGrounded: 0.5 } });
  }
});
const samples = rows.reduce((n, r) => n + r.samples.length, 0);
const out = {
  bench: 'grounding', files, solves: rows.length, solutions: samples, groundedSolutions: grounded,
  groundingMsPerSolve: Number(groundingMs.toFixed(4)), wholeJudgementMsPerSolve: Number(judgementMs.toFixed(4)),
  note: 'Node, 2 shared cores under load; the judgement includes the grounding check',
};
writeFileSync('bench/results/grounding.json', `${JSON.stringify(out, null, 2)}\n`);
console.log(out);
