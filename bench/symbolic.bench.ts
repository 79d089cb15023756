/**
 * Symbolic solver benchmark (Node, real Pyodide with the page's archive): time per problem, warm, by
 * problem type, over the evaluation fixture (tests/fixtures/symbolic/problems.jsonl) and the school-exercise set
 * (tests/fixtures/symbolic/school.jsonl): each problem once
 * to warm the modules it needs, then --reps timed runs; median and p95 of all timed runs by type and
 * overall. Also the cold cost in Node: Pyodide start, sympy + rule modules import, first answer.
 *
 *   npm run prepare:python && npx tsx bench/symbolic.bench.ts [--reps 3]
 *
 * Writes bench/results/symbolic.json. Targets (on 2 shared cores): median at most 50 ms, p95 at most 500 ms. The page's cold start (page load to first symbolic answer, Chromium) is measured
 * by the cold-start benchmark.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { nodeTrustedPython } from '../workers/symbolic/node-python.ts';
import { solveSymbolic } from '../workers/symbolic/solver.ts';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] || 3) || 3;
const SETS = { fixture: 'tests/fixtures/symbolic/problems.jsonl', school: 'tests/fixtures/symbolic/school.jsonl' };
const rows = Object.entries(SETS).flatMap(([set, path]) =>
  readFileSync(path, 'utf8').trim().split('\n').map((l) => {
    const row = JSON.parse(l) as { id: string; subject: string; problem?: string; question?: string };
    return { id: row.id, subject: `${set}/${row.subject}`, problem: row.problem ?? row.question ?? '' };
  }),
);

const t0 = performance.now();
const python = await nodeTrustedPython();
const loadedMs = performance.now() - t0;
const first = await solveSymbolic('Solve for x: 3x - 7 = 2x + 5', python.run);
const firstAnswerMs = performance.now() - t0;
if (first.status !== 'solved') throw new Error('the first problem was not solved');

for (const row of rows) await solveSymbolic(row.problem, python.run); // warm every module a type needs
const byType = new Map<string, number[]>();
for (let r = 0; r < reps; r += 1) {
  for (const row of rows) {
    const start = performance.now();
    await solveSymbolic(row.problem, python.run);
    const ms = performance.now() - start;
    byType.set(row.subject, [...(byType.get(row.subject) ?? []), ms]);
  }
}
await python.close();

function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { runs: s.length, medianMs: Math.round(at(0.5) * 10) / 10, p95Ms: Math.round(at(0.95) * 10) / 10, maxMs: Math.round(s[s.length - 1]! * 10) / 10 };
}
const all = [...byType.values()].flat();
const result = {
  benchmark: 'symbolic solver, warm, Node (Pyodide + the page archive)',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
  problems: rows.length,
  reps,
  overall: stats(all),
  byType: Object.fromEntries([...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, stats(v)])),
  cold: { pythonReadyMs: Math.round(loadedMs), firstAnswerMs: Math.round(firstAnswerMs) },
  bySet: Object.fromEntries(Object.keys(SETS).map((set) => [set, stats([...byType.entries()].filter(([k]) => k.startsWith(`${set}/`)).flatMap(([, v]) => v))])),
  targets: { medianMs: 50, p95Ms: 500 },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/symbolic.json', `${JSON.stringify(result, null, 2)}\n`);
for (const [k, v] of Object.entries(result.bySet)) console.log(`${k}: median ${v.medianMs} ms, p95 ${v.p95Ms} ms`);
console.log(`warm, all types: median ${result.overall.medianMs} ms, p95 ${result.overall.p95Ms} ms (${all.length} runs)`);
for (const [k, v] of Object.entries(result.byType)) console.log(`  ${k.padEnd(30)} median ${String(v.medianMs).padStart(7)} ms  p95 ${String(v.p95Ms).padStart(7)} ms`);
console.log(`cold in Node: Python ready ${result.cold.pythonReadyMs} ms, first answer ${result.cold.firstAnswerMs} ms`);
