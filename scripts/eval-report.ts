/**
 * What every evaluation engine shares: the solve request each problem gets (so the Node and
 * Chromium engines are comparable), the summary JSON, the per-problem JSONL trace and the
 * printed table. Scoring is scripts/eval-metrics.ts, always run in Node.
 */
import { writeFileSync } from 'node:fs';
import type { SolveRequest, SolveResult } from '../workers/contracts.ts';
import type { Manifest } from '../workers/model/manifest.ts';
import type { EvalItem } from './eval-data.ts';
import { auc, scoreProblem, type Scored } from './eval-metrics.ts';

/** One problem as an engine solved it: the solver's own result and the wall time of the solve. */
export interface Solved {
  item: EvalItem;
  result: SolveResult;
  seconds: number;
}

/** What an engine hands back besides the solved problems. */
export interface EngineRun {
  /** e.g. 'onnxruntime-node (cpu)', 'chromium (wasm)'. */
  engine: string;
  /** The device the solver reported (SolveResult.device; several if it changed mid-run, e.g. after a lost GPU). */
  device: string;
  /** The package variant (dtype) the model ran. */
  variant: string;
  solved: Solved[];
  /** Engine-specific facts to keep in the summary (e.g. the Chromium engine's request counts). */
  extra?: Record<string, unknown>;
}

/**
 * The request for problem `index`: N samples plus one greedy, the package's temperature, top-p
 * and token budget, seed 1000 + index, outlier-free OVM, no early stop (every sample decoded,
 * so every strategy can be scored on the same samples).
 */
export function evalRequest(item: EvalItem, index: number, modelId: string, manifest: Manifest, samples: number): SolveRequest {
  return {
    jobId: `eval-${index}`,
    question: item.question,
    modelId,
    settings: {
      samples, greedy: true, temperature: manifest.sampling.temperature, topP: manifest.sampling.topP,
      maxTokensPerSolution: manifest.sampling.maxNewTokens, timeLimitMs: 600_000, codeTimeoutMs: 10_000,
      strategy: 'outlier-free-ovm', earlyStop: false, seed: 1000 + index,
    },
  };
}

type Row = Scored & { subject?: string; level?: string | number; seconds: number };

export interface Report {
  summary: Record<string, unknown>;
  /** One JSON line per problem: id, question, gold, correct (per strategy), samples (text, code runs, answer, value), selection. */
  traces: string[];
}

export function buildReport(meta: { model: string; data: string; samples: number; totalSeconds: number }, run: EngineRun): Report {
  const { samples } = meta;
  const rows: Row[] = [];
  const traces: string[] = [];
  for (const { item, result, seconds } of run.solved) {
    const s = scoreProblem(result, item.gold);
    const row: Row = { ...s, seconds };
    if (item.subject !== undefined) row.subject = item.subject;
    if (item.level !== undefined) row.level = item.level;
    rows.push(row);
    traces.push(JSON.stringify({ id: item.id, question: item.question, gold: item.gold, correct: s.correct, ...(result.method === 'model' ? { samples: result.samples, selection: result.selection } : { symbolic: result.solution }) }));
  }
  const pct = (rs: Row[], key: keyof Scored['correct']) => (100 * rs.filter((r) => r.correct[key]).length) / Math.max(1, rs.length);
  const summarize = (rs: Row[]) => ({
    problems: rs.length,
    greedy: pct(rs, 'greedy'),
    [`majority@${samples}`]: pct(rs, 'majority'),
    [`ovm-best-of-${samples}`]: pct(rs, 'best-of-n'),
    [`outlier-free-ovm@${samples}`]: pct(rs, 'outlier-free-ovm'),
    [`pass@${samples}`]: pct(rs, 'pass'),
    noAnswerRate: (100 * rs.reduce((x, r) => x + r.noAnswerRate, 0)) / Math.max(1, rs.length),
    secondsPerProblem: rs.reduce((x, r) => x + r.seconds, 0) / Math.max(1, rs.length),
  });
  const summary: Record<string, unknown> = {
    model: meta.model, variant: run.variant, data: meta.data, samples, engine: run.engine, device: run.device,
    ...summarize(rows),
    valueAuc: auc(rows.flatMap((r) => r.valued)),
    totalSeconds: meta.totalSeconds,
    ...run.extra,
  };
  for (const key of ['subject', 'level'] as const) {
    const groups = new Map<string, Row[]>();
    for (const r of rows) if (r[key] !== undefined) groups.set(String(r[key]), [...(groups.get(String(r[key])) ?? []), r]);
    if (groups.size) summary[`by_${key}`] = Object.fromEntries([...groups].map(([k, rs]) => [k, summarize(rs)]));
  }
  return { summary, traces };
}

/** Writes the summary to `out` and the trace beside it (`x.json` -> `x.trace.jsonl`). */
export function writeReport(out: string, report: Report): void {
  writeFileSync(out, `${JSON.stringify(report.summary, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, '.trace.jsonl'), `${report.traces.join('\n')}\n`);
}

export function formatTable(summary: Record<string, unknown>): string {
  const n = summary.samples as number;
  const lines = [
    `${String(summary.model)} (${String(summary.variant)}) on ${String(summary.data)} with ${String(summary.engine)}: ${String(summary.problems)} problems, ${n} samples each`,
    '| strategy | accuracy % |',
    '| --- | --- |',
  ];
  for (const k of ['greedy', `majority@${n}`, `ovm-best-of-${n}`, `outlier-free-ovm@${n}`, `pass@${n}`]) lines.push(`| ${k} | ${(summary[k] as number).toFixed(1)} |`);
  const valueAuc = summary.valueAuc as number | null;
  lines.push(`no answer ${(summary.noAnswerRate as number).toFixed(1)}%, value AUC ${valueAuc === null ? 'n/a' : valueAuc.toFixed(3)}, ${(summary.secondsPerProblem as number).toFixed(2)} s per problem`);
  return lines.join('\n');
}
