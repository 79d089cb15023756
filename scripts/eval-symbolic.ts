/**
 * Evaluation of the symbolic solver (workers/symbolic/) on a JSONL set, in Node: Pyodide with the page's
 * own archive, the same request and Python program the page runs, graded with the tutor's own
 * equivalence code (workers/solver/equivalence.ts, with sympy for expressions).
 *
 *   npm run eval -- --solver symbolic --data tests/fixtures/symbolic/problems.jsonl --out bench/results/eval-symbolic-fixture.json
 *   npm run eval -- --solver symbolic --data ../shared/data/math500/test.jsonl --out bench/results/eval-symbolic-math500.json
 *
 * Prints accuracy (right / all), coverage (answered / all) and precision (right / answered), by type
 * (the fixture's `subject`) or MATH500 subject and level; writes the summary JSON and, beside it (OUT.trace.jsonl), a JSONL
 * trace with one line per problem: id, method ('symbolic' | 'model' when declined), answer (LaTeX, null when
 * the symbolic solver did not answer), correct, seconds, status, kind, reason.
 */
import { writeFileSync } from 'node:fs';
import type { SymbolicOutcome } from '../workers/contracts.ts';
import { answersEquivalent } from '../workers/solver/equivalence.ts';
import { sympyEqualityProgram } from '../workers/solver/equivalence.ts';
import { nodeTrustedPython } from '../workers/symbolic/node-python.ts';
import { solveSymbolic } from '../workers/symbolic/solver.ts';
import type { EvalItem } from './eval-data.ts';

export interface SymbolicTraceLine {
  id: string;
  method: 'symbolic' | 'model';
  answer: string | null;
  gold: string;
  correct: boolean;
  seconds: number;
  status: SymbolicOutcome['status'];
  kind: string | null;
  subject: string | null;
  level: string | number | null;
  reason: string | null;
  /** Why the rules did not answer: a decline's kind, or the status (parse-error, timeout, failed); null when answered. */
  declineKind: string | null;
}

interface Tally {
  problems: number;
  answered: number;
  right: number;
  accuracy: number;
  coverage: number;
  precision: number | null;
}

function tally(lines: SymbolicTraceLine[]): Tally {
  const answered = lines.filter((l) => l.method === 'symbolic').length;
  const right = lines.filter((l) => l.correct).length;
  const pct = (a: number, b: number) => Math.round((1000 * a) / b) / 10;
  return { problems: lines.length, answered, right, accuracy: pct(right, lines.length), coverage: pct(answered, lines.length), precision: answered ? pct(right, answered) : null };
}

function groupBy(lines: SymbolicTraceLine[], key: (l: SymbolicTraceLine) => string | null): Record<string, Tally> {
  const groups = new Map<string, SymbolicTraceLine[]>();
  for (const l of lines) {
    const k = key(l);
    if (k === null) continue;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  return Object.fromEntries([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, tally(v)]));
}

/** How often each value occurs, commonest first (the first `top`). */
function counts(values: Array<string | null>, top = Infinity): Record<string, number> {
  const tally = new Map<string, number>();
  for (const v of values) if (v !== null) tally.set(v, (tally.get(v) ?? 0) + 1);
  return Object.fromEntries([...tally.entries()].sort((a, b) => b[1] - a[1]).slice(0, top));
}

/** Seconds per answered problem, warm: median and 95th percentile. */
function quantiles(values: number[]): { median: number; p95: number } | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: Math.round(at(0.5) * 1000) / 1000, p95: Math.round(at(0.95) * 1000) / 1000 };
}

export async function evalSymbolic(data: string, items: EvalItem[], out: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const python = await nodeTrustedPython();
  const loadSeconds = (performance.now() - started) / 1000;
  const symbolic = async (a: string, b: string) => {
    const r = await python.run(sympyEqualityProgram(a, b), { timeoutMs: 5_000 });
    const o = r.output.trim();
    return o === 'True' ? true : o === 'False' ? false : undefined;
  };
  const lines: SymbolicTraceLine[] = [];
  for (const [index, item] of items.entries()) {
    const t0 = performance.now();
    const outcome = await solveSymbolic(item.question, python.run);
    const seconds = (performance.now() - t0) / 1000;
    const answer = outcome.status === 'solved' ? outcome.answer : null;
    const correct = answer !== null && (await answersEquivalent(answer, item.gold, symbolic)).equal;
    lines.push({
      id: item.id,
      method: answer !== null ? 'symbolic' : 'model',
      answer,
      gold: item.gold,
      correct,
      seconds: Math.round(seconds * 1000) / 1000,
      status: outcome.status,
      kind: outcome.status === 'solved' ? outcome.kind : null,
      subject: item.subject ?? null,
      level: item.level ?? null,
      reason: outcome.status === 'solved' ? null : 'reason' in outcome ? outcome.reason : outcome.message,
      declineKind: outcome.status === 'solved' ? null : outcome.status === 'declined' ? outcome.kind : outcome.status,
    });
    if ((index + 1) % 25 === 0 || index + 1 === items.length) log(`${index + 1}/${items.length}`);
  }
  await python.close();
  const answeredSeconds = lines.filter((l) => l.method === 'symbolic').map((l) => l.seconds);
  const summary = {
    solver: 'symbolic',
    engine: 'pyodide-node',
    data,
    overall: tally(lines),
    bySubject: groupBy(lines, (l) => l.subject),
    byLevel: groupBy(lines, (l) => (l.level === null ? null : String(l.level))),
    byKind: groupBy(lines.filter((l) => l.kind), (l) => l.kind),
    secondsPerProblem: quantiles(lines.map((l) => l.seconds)),
    secondsPerAnswered: quantiles(answeredSeconds),
    loadSeconds: Math.round(loadSeconds * 10) / 10,
    declines: counts(lines.map((l) => l.declineKind)),
    declineReasons: counts(lines.map((l) => (l.declineKind === null ? null : `${l.declineKind}: ${l.reason}`)), 25),
    wrong: lines.filter((l) => l.method === 'symbolic' && !l.correct).map((l) => ({ id: l.id, answer: l.answer, gold: l.gold })),
    totalSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  const trace = out.replace(/\.json$/, '') + '.trace.jsonl';
  writeFileSync(trace, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const row = (name: string, t: Tally) =>
    `${name.padEnd(28)} ${String(t.problems).padStart(5)} ${String(t.answered).padStart(8)} ${t.accuracy.toFixed(1).padStart(8)} ${t.coverage.toFixed(1).padStart(8)} ${(t.precision === null ? '-' : t.precision.toFixed(1)).padStart(9)}`;
  console.log(`\n${'group'.padEnd(28)} ${'n'.padStart(5)} ${'answered'.padStart(8)} ${'acc %'.padStart(8)} ${'cover %'.padStart(8)} ${'precis %'.padStart(9)}`);
  console.log(row('all', summary.overall));
  for (const [k, t] of Object.entries(summary.bySubject)) console.log(row(k, t));
  for (const [k, t] of Object.entries(summary.byLevel)) console.log(row(`level ${k}`, t));
  console.log(`\ndeclines by kind: ${Object.entries(summary.declines).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  console.log(`\nwarm seconds per answered problem: median ${summary.secondsPerAnswered?.median ?? '-'}, p95 ${summary.secondsPerAnswered?.p95 ?? '-'}`);
  console.log(`wrote ${out} and ${trace}`);
}
