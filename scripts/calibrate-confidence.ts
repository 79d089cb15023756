/**
 * Chooses a package's confidence thresholds (workers/solver/confidence.ts) from evaluation traces,
 * and reports coverage and precision on other sets with the thresholds fixed.
 *
 *   npx tsx scripts/calibrate-confidence.ts --strategy greedy \
 *     --calibrate models/work/calibration.trace.jsonl --ood .tmp/gsm8k-train300.trace.jsonl \
 *     --report bench/results/eval-demo-heldout.trace.jsonl,.tmp/gsm8k-test400.trace.jsonl \
 *     --out bench/results/confidence-demo-mario-tiny.json
 *
 * Traces are `npm run eval` traces (one JSON line per problem with its samples and gold).
 * Thresholds are chosen on --calibrate (in-domain problems never reported) and --ood
 * (out-of-domain problems never reported): the largest in-domain coverage whose precision is at
 * least --precision (default 0.97) and whose out-of-domain confident share is at most --ood-max
 * (default 0.03). Those margins under the targets (95 %, 5 %) leave room for sampling noise.
 * Then the same thresholds are applied to every --report set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { compareAnswers } from '../workers/solver/equivalence.ts';
import { select, type StrategyId } from '../workers/solver/selection.ts';
import { confidenceSample, modelConfidence, type ConfidenceThresholds } from '../workers/solver/confidence.ts';
import type { SampleRecord } from '../workers/contracts.ts';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface TraceRow { id: string; question: string; gold: string; samples: SampleRecord[] }
interface Judged { answered: boolean; correct: boolean; agreement: number | null; bestValue: number | null; level: string }

const strategy = arg('strategy', 'greedy') as StrategyId;
const minPrecision = Number(arg('precision', '0.97'));
const oodMax = Number(arg('ood-max', '0.03'));
const read = (path: string): TraceRow[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TraceRow);

/** The page's answer and its confidence for one traced problem, under `thresholds`. */
function judge(row: TraceRow, thresholds: ConfidenceThresholds): Judged {
  const outcomes = row.samples.map((s) => ({ id: s.sample, answer: s.answer, value: s.value, greedy: s.greedy }));
  const selection = select(strategy, strategy === 'greedy' ? outcomes : outcomes.filter((o) => !o.greedy));
  const confidence = modelConfidence({ selection, samples: row.samples.map((s) => confidenceSample(s, row.question)), thresholds });
  const answer = selection.chosen?.answer ?? null;
  return {
    answered: answer !== null,
    correct: answer !== null && compareAnswers(answer, row.gold).equal,
    agreement: confidence.agreement,
    bestValue: confidence.bestValue,
    level: confidence.level,
  };
}

function measure(rows: TraceRow[], thresholds: ConfidenceThresholds) {
  const judged = rows.map((r) => judge(r, thresholds));
  const shown = judged.filter((j) => j.level !== 'not-sure');
  const right = shown.filter((j) => j.correct).length;
  return {
    problems: rows.length,
    accuracy: judged.filter((j) => j.correct).length / Math.max(1, rows.length),
    coverage: shown.length / Math.max(1, rows.length),
    precision: shown.length ? right / shown.length : null,
    confidentWrong: shown.length - right,
  };
}

const calibrate = read(arg('calibrate')!);
const ood = arg('ood') ? read(arg('ood')!) : [];
const grid: ConfidenceThresholds[] = [];
for (let a = 1; a <= 8; a++) for (let v = 0; v <= 19; v++) for (const g of [0, 0.25, 0.5, 0.75, 1]) grid.push({ minAgreement: a / 8, minValue: v / 20, minGrounded: g });

const sweep = grid.map((t) => ({ thresholds: t, calibration: measure(calibrate, t), ood: ood.length ? measure(ood, t) : null }));
const admissible = sweep.filter((s) => (s.calibration.precision ?? 0) >= minPrecision && (!s.ood || s.ood.coverage <= oodMax));
admissible.sort((a, b) => b.calibration.coverage - a.calibration.coverage || (a.ood?.coverage ?? 0) - (b.ood?.coverage ?? 0) || (b.thresholds.minGrounded ?? 0) - (a.thresholds.minGrounded ?? 0) || b.thresholds.minValue - a.thresholds.minValue);
const best = admissible[0];
if (!best) {
  console.error(`No thresholds reach precision ${minPrecision} with at most ${oodMax} confident out of domain.`);
  process.exit(1);
}

const reports = Object.fromEntries((arg('report') ?? '').split(',').filter(Boolean).map((path) => [path, measure(read(path), best.thresholds)]));
/** Coverage against precision along the agreement threshold, at the chosen value threshold (and with no value threshold). */
const curve = (rows: TraceRow[]) => [best.thresholds.minValue, 0].flatMap((minValue) =>
  Array.from({ length: 8 }, (_, i) => ({ minAgreement: (i + 1) / 8, minValue, ...measure(rows, { minAgreement: (i + 1) / 8, minValue, minGrounded: best.thresholds.minGrounded ?? 0 }) })));

const out = {
  strategy,
  targets: { precision: minPrecision, oodConfidentMax: oodMax },
  chosen: best.thresholds,
  calibration: { data: arg('calibrate'), ...best.calibration },
  ood: ood.length ? { data: arg('ood'), ...best.ood } : null,
  reports,
  curves: Object.fromEntries([[arg('calibrate')!, curve(calibrate)], ...Object.keys(reports).map((path) => [path, curve(read(path))])]),
};
const fmt = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
console.log(`strategy ${strategy}: minAgreement ${best.thresholds.minAgreement}, minValue ${best.thresholds.minValue}, minGrounded ${best.thresholds.minGrounded}`);
console.log('| set | problems | accuracy | coverage | precision | confident and wrong |\n| --- | --- | --- | --- | --- | --- |');
for (const [name, m] of [['calibration', best.calibration], ['ood (threshold choice)', best.ood], ...Object.entries(reports)] as const) {
  if (m) console.log(`| ${name} | ${m.problems} | ${fmt(m.accuracy)} | ${fmt(m.coverage)} | ${fmt(m.precision)} | ${m.confidentWrong} |`);
}
const target = arg('out');
if (target) writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
