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
 * Prints accuracy (right / all), coverage (an answer shown / all), precision (right / shown), by method
 * and confidence (and MATH500 subject); writes the summary and, beside it, a JSONL trace with one line
 * per problem: id, method, answer (null when none is shown), confidence, correct, seconds, and the
 * candidates the page shows as unchecked attempts.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { answersEquivalent, sympyEqualityProgram } from '../workers/solver/equivalence.ts';
import { shownAnswer } from '../workers/solver/confidence.ts';
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
}

function tally(lines: AutoTraceLine[]) {
  const shown = lines.filter((l) => l.answer !== null);
  const right = lines.filter((l) => l.correct).length;
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
  return { problems: lines.length, shown: shown.length, right, accuracy: pct(right, lines.length), coverage: pct(shown.length, lines.length), precision: pct(right, shown.length) };
}

export async function evalAuto(options: { model: string; packages?: string; data: string; out: string; log: (line: string) => void }, items: EvalItem[]): Promise<void> {
  const started = performance.now();
  const trusted = await nodeTrustedPython();
  const engine = await loadNodeEngine({ model: options.model, packages: resolve(options.packages ?? 'models/packages') });
  const grader = async (a: string, b: string) => {
    const out = (await trusted.run(sympyEqualityProgram(a, b), { timeoutMs: 5_000 })).output.trim();
    return out === 'True' ? true : out === 'False' ? false : undefined;
  };
  const { modelId: _model, declinedModels: _declined, ...settings } = DEFAULT_SETTINGS;
  const lines: AutoTraceLine[] = [];
  for (const [index, item] of items.entries()) {
    const t0 = performance.now();
    const request = { jobId: `auto-${index}`, question: item.question, modelId: options.model, settings: { ...settings, seed: 1000 + index } };
    const result = await dispatchSolve(request, { symbolic: (q) => solveSymbolic(q, trusted.run), model: () => engine.solve(request) });
    const seconds = (performance.now() - t0) / 1000;
    const { answer, confidence } = shownAnswer(result);
    const correct = answer !== null && (await answersEquivalent(answer, item.gold, grader)).equal;
    lines.push({
      id: item.id, method: result.method ?? 'model', answer, confidence, correct, seconds: Math.round(seconds * 1000) / 1000, gold: item.gold,
      subject: item.subject ?? null, attempts: answer === null ? result.selection.clusters.map((c) => c.answer) : [],
    });
    if ((index + 1) % 10 === 0 || index + 1 === items.length) options.log(`${index + 1}/${items.length} (${seconds.toFixed(1)} s)`);
  }
  await engine.release();
  await trusted.close();
  const by = (key: (l: AutoTraceLine) => string | null) => {
    const groups = new Map<string, AutoTraceLine[]>();
    for (const l of lines) {
      const k = key(l);
      if (k !== null) groups.set(k, [...(groups.get(k) ?? []), l]);
    }
    return Object.fromEntries([...groups].map(([k, v]) => [k, tally(v)]));
  };
  const summary = {
    solver: 'auto', engine: 'onnxruntime-node (cpu) + pyodide-node', model: options.model, variant: engine.variant, data: options.data,
    settings: { ...settings, seed: '1000 + index' },
    overall: tally(lines), byMethod: by((l) => l.method), byConfidence: by((l) => l.confidence), bySubject: by((l) => l.subject),
    confidentWrong: lines.filter((l) => l.answer !== null && !l.correct).map((l) => ({ id: l.id, method: l.method, answer: l.answer, gold: l.gold })),
    totalSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  writeFileSync(options.out, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(options.out.replace(/\.json$/, '.trace.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const o = summary.overall;
  console.log(`${options.model} auto on ${options.data}: ${o.problems} problems, answer shown on ${o.coverage} %, right ${o.precision ?? '-'} % of those (accuracy ${o.accuracy} %)`);
  for (const [k, t] of Object.entries(summary.byMethod)) console.log(`  ${k}: ${t.problems} problems, shown ${t.coverage} %, precision ${t.precision ?? '-'} %`);
  for (const [k, t] of Object.entries(summary.byConfidence)) console.log(`  ${k}: ${t.problems} problems, right ${t.right}`);
}
