/**
 * Evaluation of a model package through the solver's own loop, on one of two engines:
 *
 *   npm run eval -- --engine chromium --model demo-mario-tiny --data ../shared/data/gsm8k/test.jsonl --samples 8 --limit 50 --out bench/results/eval-gsm8k.json
 *   npm run eval -- --engine node --model demo-mario-tiny --data models/work/train.jsonl --limit 1200 --samples 8 --out models/work/samples.json
 *
 * --engine chromium (scripts/eval-chromium.ts): the real pipeline in headless Chromium, the
 *   code the page runs: SolverClient -> solver worker -> ONNX Runtime Web (WebGPU or
 *   WebAssembly, as the solver chooses) + the sandboxed Pyodide pool, served by the app's dev
 *   server on 127.0.0.1; fails if any request leaves loopback. The figures to report.
 * --engine node (scripts/eval-node.ts): the same runSolveLoop on ONNX Runtime's native CPU
 *   backend and Pyodide in Node; ~40x faster here, reads any package folder (--packages).
 *
 * The default is node: it is what labelling training samples and checkpoint sweeps need
 * (models/README.md, models/train/ovm.py, models/work/sweep.sh call `npm run eval` with no
 * engine, for thousands of problems and packages the app does not serve); a Chromium run of
 * the same size takes hours. Ask for the browser explicitly with --engine chromium.
 *
 * Both engines send the same request per problem (N samples + greedy, the package's
 * temperature/top-p/token budget, seed 1000 + index, outlier-free OVM, no early stop), score
 * in Node with the same code, print greedy, majority@N, OVM best-of-N, outlier-free OVM@N,
 * pass@N, the no-answer rate and seconds per problem (MATH500 also by subject and level), and
 * write the same JSON summary (plus `engine` and the `device` the solver reported) and
 * per-problem JSONL trace beside it. Seconds per problem exclude loading the model and Python.
 *
 * --variant picks the package variant on the node engine (default fp32); Chromium runs the
 * package's default variant for the device it gets (q8 on WebAssembly for the demo model), so
 * pass --variant q8 to node to compare like with like. --no-webgpu: Chromium without WebGPU.
 *
 * --solver auto (scripts/eval-auto.ts): exactly what the page does (symbolic first, the model for the rest,
 *   the page's default settings and confidence rules), scored on the answer the page shows.
 * --solver symbolic (scripts/eval-symbolic.ts): the step-by-step symbolic solver alone, Pyodide in Node;
 *   accuracy, coverage and precision by type/subject/level. --solver model (the default) is the above.
 */
import { resolve } from 'node:path';
import { readEvalSet } from './eval-data.ts';
import { buildReport, formatTable, writeReport, type EngineRun, type Solved } from './eval-report.ts';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const USAGE = 'Usage: npm run eval -- [--solver model|symbolic|auto] [--engine node|chromium] --model <id> --data <jsonl> [--samples 8] [--limit n] [--out file.json] [--variant fp32|q8 (node)] [--packages dir (node)] [--no-webgpu (chromium)]';
const solver = arg('solver', 'model')!;
if (solver === 'symbolic') {
  const dataFile = arg('data');
  if (!dataFile) {
    console.error('Usage: npm run eval -- --solver symbolic --data <jsonl> [--limit n] [--out file.json]');
    process.exit(2);
  }
  const { evalSymbolic } = await import('./eval-symbolic.ts');
  const limitArg = arg('limit');
  await evalSymbolic(dataFile, readEvalSet(dataFile, limitArg ? Number(limitArg) : undefined), arg('out', 'bench/results/eval-symbolic.json')!, (line) => console.error(line));
  process.exit(0);
}
if (solver === 'auto') {
  const dataFile = arg('data');
  if (!dataFile) {
    console.error('Usage: npm run eval -- --solver auto --data <jsonl> [--engine node|chromium] [--seeds K] [--webgpu (chromium)] [--model id] [--limit n] [--out file.json]');
    process.exit(2);
  }
  const { evalAuto } = await import('./eval-auto.ts');
  const limitArg = arg('limit');
  const packages = arg('packages');
  const autoEngine = arg('engine', 'node');
  if (autoEngine !== 'node' && autoEngine !== 'chromium') {
    console.error('--engine is node (the default) or chromium');
    process.exit(2);
  }
  await evalAuto({
    model: arg('model', 'demo-mario-tiny')!, data: dataFile, out: arg('out', 'bench/results/eval-auto.json')!, log: (line) => console.error(line),
    engine: autoEngine, seeds: Number(arg('seeds', '1')), webgpu: process.argv.includes('--webgpu'), ...(packages ? { packages } : {}),
  }, readEvalSet(dataFile, limitArg ? Number(limitArg) : undefined));
  process.exit(0);
}
if (solver !== 'model') {
  console.error('--solver is auto, symbolic or model (the default)');
  process.exit(2);
}
const engine = arg('engine', 'node')!;
const model = arg('model', 'demo-mario-tiny')!;
const data = arg('data');
if (!data || (engine !== 'node' && engine !== 'chromium')) {
  console.error(USAGE);
  process.exit(2);
}
const samples = Number(arg('samples', '8'));
const limit = arg('limit') ? Number(arg('limit')) : undefined;
const out = arg('out', `bench/results/eval-${model}.json`)!;
const items = readEvalSet(data, limit);
const onProblem = (done: number, total: number, solved: Solved) => {
  if (engine === 'chromium' || done % 10 === 0 || done === total) process.stderr.write(`${done}/${total} (${solved.seconds.toFixed(1)} s)\n`);
};

const started = performance.now();
let run: EngineRun;
if (engine === 'chromium') {
  if (arg('packages') || arg('variant')) console.error('--packages and --variant apply to the node engine; Chromium runs the package the app serves (public/models), in its default variant for the device.');
  const { evalChromium } = await import('./eval-chromium.ts');
  run = await evalChromium({ model, samples, webgpu: !process.argv.includes('--no-webgpu'), onProblem, log: (line) => console.error(line) }, items);
} else {
  const { evalNode } = await import('./eval-node.ts');
  const variant = arg('variant');
  run = await evalNode({ model, packages: resolve(arg('packages', 'models/packages')!), samples, onProblem, ...(variant ? { variant } : {}) }, items);
}
const report = buildReport({ model, data, samples, totalSeconds: (performance.now() - started) / 1000 }, run);
writeReport(out, report);
console.log(`\n${formatTable(report.summary)}`);
