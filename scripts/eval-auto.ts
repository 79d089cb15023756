/**
 * `npm run eval -- --solver auto`: exactly what the page does with a problem, in Node. The one dispatch
 * point (workers/solver/dispatch.ts) tries the symbolic solver in a trusted interpreter, and the model
 * (the solver's loop on ONNX Runtime's CPU backend, every solution in a fresh interpreter) answers what
 * it declines, with the page's default settings (the package's measured strategy, its confidence rules).
 * Scored on what the page would show as *the* answer: the symbolic answer, or the model's chosen
 * answer when it is verified or likely; nothing when the tutor is not sure.
 *
 *   npm run eval -- --solver auto --data ../shared/data/gsm8k/test.jsonl --limit 200 --out bench/results/eval-auto-gsm8k.json
 *
 * `--seeds K` solves each problem K times, with the page's seed (the default settings' `seed`) and the K - 1 after
 * it, so the figures hold for the student's draws of the dice, not for one. `--engine chromium` solves in the page's
 * own pipeline (SolverClient -> solver worker -> dispatch, ONNX Runtime Web in the package's default variant for
 * the device, the sandboxed Pyodide pool; scripts/eval-chromium.ts); `--engine node` (the default, faster) runs the
 * same dispatch and loop on ONNX Runtime's CPU backend with the variant the page runs on WebAssembly.
 *
 * Prints accuracy (right / all), coverage (an answer shown / all), precision (right / shown), by method
 * and confidence (and MATH500 subject); writes the summary and, beside it, a JSONL trace with one line
 * per problem: id, method, answer (null when none is shown), confidence, correct, seconds, and the
 * candidates the page shows as unchecked attempts.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest } from '../workers/model/manifest.ts';
import { answersEquivalent, sympyEqualityProgram } from '../workers/solver/equivalence.ts';
import { shownAnswer, uncheckedAttempts } from '../workers/solver/confidence.ts';
import type { SolveRequest, SolveResult } from '../workers/contracts.ts';
import { dispatchSolve } from '../workers/solver/dispatch.ts';
import { nodeTrustedPython } from '../workers/symbolic/node-python.ts';
import { solveSymbolic } from '../workers/symbolic/solver.ts';
import { DEFAULT_SETTINGS } from '../web/lib/defaults.ts';
import type { EvalItem } from './eval-data.ts';
import { loadNodeEngine } from './eval-node.ts';

export interface AutoTraceLine {
  id: string;
  method: 'symbolic' | 'model';
  /** What the page shows as the answer; null when it shows none. */
  answer: string | null;
  confidence: 'verified' | 'likely' | 'not-sure';
  correct: boolean;
  seconds: number;
  gold: string;
  subject: string | null;
  /** The model's candidates when none is shown as the answer. */
  attempts: string[];
  /** Which draw of the dice: the page's seed plus `draw`. */
  draw: number;
  seed: number;
}

function tally(lines: AutoTraceLine[]) {
  const shown = lines.filter((l) => l.answer !== null);
  const right = lines.filter((l) => l.correct).length;
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
  return {
    problems: lines.length, shown: shown.length, right, accuracy: pct(right, lines.length), coverage: pct(shown.length, lines.length), precision: pct(right, shown.length),
    confidentlyWrong: shown.length - right, confidentlyWrongPct: pct(shown.length - right, lines.length),
  };
}

export interface AutoOptions {
  model: string;
  packages?: string;
  data: string;
  out: string;
  log: (line: string) => void;
  engine?: 'node' | 'chromium';
  /** Draws per problem (default 1). */
  seeds?: number;
  /** Chromium: offer WebGPU (default false here: SwiftShader is the only adapter on a machine without a GPU). */
  webgpu?: boolean;
}

export async function evalAuto(options: AutoOptions, items: EvalItem[]): Promise<void> {
  const started = performance.now();
  const engineName = options.engine ?? 'node';
  const seeds = Math.max(1, options.seeds ?? 1);
  const trusted = await nodeTrustedPython();
  const grader = async (a: string, b: string) => {
    const out = (await trusted.run(sympyEqualityProgram(a, b), { timeoutMs: 5_000 })).output.trim();
    return out === 'True' ? true : out === 'False' ? false : undefined;
  };
  const { modelId: _model, declinedModels: _declined, ...settings } = DEFAULT_SETTINGS;
  // Every draw of every problem, as the page would ask: its default settings, its seed plus the draw.
  const draws = items.flatMap((item, index) => Array.from({ length: seeds }, (_, draw) => ({ item, index, draw })));
  const request = (i: number): SolveRequest => {
    const { item, index, draw } = draws[i]!;
    return { jobId: `auto-${index}-${draw}`, question: item.question, modelId: options.model, settings: { ...settings, seed: settings.seed + draw } };
  };
  const tracePath = options.out.replace(/\.json$/, '.trace.jsonl');
  writeFileSync(tracePath, '');
  const lines: AutoTraceLine[] = [];
  const record = async (i: number, result: SolveResult, seconds: number) => {
    const { item, draw } = draws[i]!;
    const { answer, confidence } = shownAnswer(result);
    const correct = answer !== null && (await answersEquivalent(answer, item.gold, grader)).equal;
    const line: AutoTraceLine = {
      id: item.id, method: result.method, answer, confidence, correct, seconds: Math.round(seconds * 1000) / 1000, gold: item.gold,
      subject: item.subject ?? null, attempts: answer === null && result.method === 'model' ? uncheckedAttempts(result.selection, result.samples).map((c) => c.answer) : [],
      draw, seed: settings.seed + draw,
    };
    lines.push(line);
    appendFileSync(tracePath, `${JSON.stringify(line)}\n`);
    if (lines.length % 10 === 0 || lines.length === draws.length) options.log(`${lines.length}/${draws.length} (${seconds.toFixed(1)} s)`);
  };
  let engineLabel: string;
  let variant: string;
  if (engineName === 'chromium') {
    const { evalChromium } = await import('./eval-chromium.ts');
    const drawItems = draws.map((d) => d.item);
    const run = await evalChromium({
      model: options.model, samples: settings.samples, webgpu: options.webgpu ?? false, log: options.log,
      request: (_item, i) => request(i),
      onProblem: (done, _total, solved) => void record(done - 1, solved.result, solved.seconds),
    }, drawItems);
    engineLabel = run.engine;
    variant = run.variant;
    // Scoring runs beside the browser; wait for the last ones.
    while (lines.length < draws.length) await new Promise((r) => setTimeout(r, 50));
  } else {
    const packages = resolve(options.packages ?? 'models/packages');
    // The graph the page runs on WebAssembly (the demo model's q8), not the fp32 one.
    const manifest = parseManifest(JSON.parse(readFileSync(join(packages, options.model, 'manifest.json'), 'utf8')));
    const page = await loadNodeEngine({ model: options.model, packages, variant: manifest.defaultVariant.wasm });
    for (let i = 0; i < draws.length; i += 1) {
      const t0 = performance.now();
      const req = request(i);
      const result = await dispatchSolve(req, { symbolic: (q) => solveSymbolic(q, trusted.run), model: () => page.solve(req) });
      await record(i, result, (performance.now() - t0) / 1000);
    }
    await page.release();
    engineLabel = 'onnxruntime-node (cpu) + pyodide-node';
    variant = page.variant;
  }
  await trusted.close();
  const by = (key: (l: AutoTraceLine) => string | null, of = lines) => {
    const groups = new Map<string, AutoTraceLine[]>();
    for (const l of of) {
      const k = key(l);
      if (k !== null) groups.set(k, [...(groups.get(k) ?? []), l]);
    }
    return Object.fromEntries([...groups].map(([k, v]) => [k, tally(v)]));
  };
  const perSeed = by((l) => String(l.seed));
  const spread = (field: 'coverage' | 'precision' | 'confidentlyWrongPct') => {
    const values = Object.values(perSeed).map((t) => t[field]).filter((v): v is number => v !== null);
    return values.length ? { min: Math.min(...values), max: Math.max(...values) } : null;
  };
  const summary = {
    solver: 'auto', engine: engineLabel, model: options.model, variant, data: options.data, seeds,
    settings: { ...settings, seed: `${settings.seed} + draw (0..${seeds - 1})` },
    overall: tally(lines), spreadOverSeeds: { coverage: spread('coverage'), precision: spread('precision'), confidentlyWrongPct: spread('confidentlyWrongPct') },
    bySeed: perSeed, byMethod: by((l) => l.method), byConfidence: by((l) => l.confidence), bySubject: by((l) => l.subject),
    confidentWrong: lines.filter((l) => l.answer !== null && !l.correct).map((l) => ({ id: l.id, seed: l.seed, method: l.method, answer: l.answer, gold: l.gold })),
    totalSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  writeFileSync(options.out, `${JSON.stringify(summary, null, 2)}\n`);
  const o = summary.overall;
  console.log(`${options.model} auto (${engineLabel}, ${seeds} seed${seeds === 1 ? '' : 's'}) on ${options.data}: ${o.problems} draws, answer shown on ${o.coverage} %, right ${o.precision ?? '-'} % of those, confidently wrong on ${o.confidentlyWrongPct} % of draws`);
  for (const [k, t] of Object.entries(summary.byMethod)) console.log(`  ${k}: ${t.problems} draws, shown ${t.coverage} %, precision ${t.precision ?? '-'} %`);
  for (const [k, t] of Object.entries(summary.byConfidence)) console.log(`  ${k}: ${t.problems} draws, right ${t.right}`);
}
