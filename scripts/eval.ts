/**
 * Evaluation of a model package through the solver's own loop (the code the page runs:
 * runSolveLoop + BatchDecoder + the Python interpreter), on ONNX Runtime's CPU backend.
 *
 *   npm run eval -- --model demo-mario-tiny --data ../shared/data/gsm8k/test.jsonl --samples 8 --limit 50 --out bench/results/eval-gsm8k.json
 *
 * Prints greedy, majority@N, OVM best-of-N, outlier-free OVM@N, pass@N, the no-answer
 * rate and seconds per problem (MATH500 also by subject and level); writes a JSON
 * summary and a per-problem JSONL trace beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadPyodide } from 'pyodide';
import { BatchDecoder, type OrtLike, type SessionLike } from '../workers/model/decoder.ts';
import { parseManifest } from '../workers/model/manifest.ts';
import { loadTokenizer } from '../workers/model/tokenizer.ts';
import { Interpreter } from '../workers/python/interpreter.ts';
import { runSolveLoop } from '../workers/solver/loop.ts';
import { FORMATS } from '../workers/solver/formats.ts';
import { readEvalSet } from './eval-data.ts';
import { auc, scoreProblem, STRATEGIES, type Scored } from './eval-metrics.ts';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const model = arg('model', 'demo-mario-tiny')!;
const root = resolve(arg('packages', 'models/packages')!);
const data = arg('data');
if (!data) {
  console.error('Usage: npm run eval -- --model <id> --data <jsonl> [--samples 8] [--limit n] [--out file.json] [--variant fp32|q8]');
  process.exit(2);
}
const samples = Number(arg('samples', '8'));
const limit = arg('limit') ? Number(arg('limit')) : undefined;
const out = arg('out', `bench/results/eval-${model}.json`)!;
const manifest = parseManifest(JSON.parse(readFileSync(join(root, model, 'manifest.json'), 'utf8')));
const variant = manifest.variants.find((v) => v.dtype === (arg('variant', 'fp32') as string)) ?? manifest.variants[0]!;
const session = (await ort.InferenceSession.create(join(root, model, variant.graph))) as unknown as SessionLike;
const tokenizer = await loadTokenizer(`${root}/`, model);
const interpreter = await Interpreter.create(await loadPyodide(), {
  runner: readFileSync('workers/python/runner.py', 'utf8'),
  packages: new Uint8Array(readFileSync('public/pyodide/sympy.zip')),
});
const a = manifest.architecture;
const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
const items = readEvalSet(data, limit);
const traces: string[] = [];
const scored: Array<Scored & { subject?: string; level?: string | number; seconds: number }> = [];
const started = performance.now();

for (const [index, item] of items.entries()) {
  const t0 = performance.now();
  const result = await runSolveLoop(
    {
      jobId: `eval-${index}`,
      question: item.question,
      modelId: model,
      settings: {
        samples, greedy: true, temperature: manifest.sampling.temperature, topP: manifest.sampling.topP,
        maxTokensPerSolution: manifest.sampling.maxNewTokens, timeLimitMs: 600_000, codeTimeoutMs: 10_000,
        strategy: 'outlier-free-ovm', earlyStop: false, seed: 1000 + index,
      },
    },
    {
      format: FORMATS[manifest.solutionFormat],
      decoder: new BatchDecoder(ort as unknown as OrtLike, session, tokenizer, shape, 'cpu'),
      python: { run: async (s, code) => interpreter.run(s, code), closeSession: async (s) => interpreter.closeSession(s) },
      emit: () => {},
    },
  );
  const s = scoreProblem(result, item.gold);
  const row: Scored & { subject?: string; level?: string | number; seconds: number } = { ...s, seconds: (performance.now() - t0) / 1000 };
  if (item.subject !== undefined) row.subject = item.subject;
  if (item.level !== undefined) row.level = item.level;
  scored.push(row);
  traces.push(JSON.stringify({ id: item.id, question: item.question, gold: item.gold, correct: s.correct, samples: result.samples, selection: result.selection }));
  if ((index + 1) % 10 === 0) process.stderr.write(`${index + 1}/${items.length}\n`);
}

const pct = (rows: typeof scored, key: keyof Scored['correct']) => (100 * rows.filter((r) => r.correct[key]).length) / Math.max(1, rows.length);
const summarize = (rows: typeof scored) => ({
  problems: rows.length,
  greedy: pct(rows, 'greedy'),
  [`majority@${samples}`]: pct(rows, 'majority'),
  [`ovm-best-of-${samples}`]: pct(rows, 'best-of-n'),
  [`outlier-free-ovm@${samples}`]: pct(rows, 'outlier-free-ovm'),
  [`pass@${samples}`]: pct(rows, 'pass'),
  noAnswerRate: (100 * rows.reduce((x, r) => x + r.noAnswerRate, 0)) / Math.max(1, rows.length),
  secondsPerProblem: rows.reduce((x, r) => x + r.seconds, 0) / Math.max(1, rows.length),
});
const summary: Record<string, unknown> = {
  model, variant: variant.dtype, data, samples, engine: 'onnxruntime-node (cpu)',
  ...summarize(scored),
  valueAuc: auc(scored.flatMap((r) => r.valued)),
  totalSeconds: (performance.now() - started) / 1000,
};
for (const key of ['subject', 'level'] as const) {
  const groups = new Map<string, typeof scored>();
  for (const r of scored) if (r[key] !== undefined) groups.set(String(r[key]), [...(groups.get(String(r[key])) ?? []), r]);
  if (groups.size) summary[`by_${key}`] = Object.fromEntries([...groups].map(([k, rows]) => [k, summarize(rows)]));
}
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
writeFileSync(out.replace(/\.json$/, '.trace.jsonl'), `${traces.join('\n')}\n`);
console.log(`\n${model} (${variant.dtype}) on ${data}: ${scored.length} problems, ${samples} samples each`);
console.log('| strategy | accuracy % |\n| --- | --- |');
for (const k of ['greedy', `majority@${samples}`, `ovm-best-of-${samples}`, `outlier-free-ovm@${samples}`, `pass@${samples}`]) {
  console.log(`| ${k} | ${(summary[k] as number).toFixed(1)} |`);
}
console.log(`no answer ${(summary.noAnswerRate as number).toFixed(1)}%, value AUC ${summary.valueAuc === null ? 'n/a' : (summary.valueAuc as number).toFixed(3)}, ${(summary.secondsPerProblem as number).toFixed(2)} s per problem`);
void STRATEGIES;
