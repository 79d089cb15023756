/**
 * Cold start in headless Chromium: from opening the page on a first visit (fresh profile, nothing
 * cached or stored) to the first answer on the page, for a problem the symbolic solver answers and
 * for a word problem the bundled demo model answers. The problem is typed and Solve pressed as soon
 * as the page has rendered, so everything the tutor loads (Python, sympy, the model) is inside the
 * figure. Also recorded: the same problem solved again warm on that page, as the baseline the cold
 * figure is compared against (ratio cold / warm).
 *
 *   npx tsx bench/cold-start.bench.ts [--reps 3]     (builds the app into .tmp/bench-dist first)
 *
 * Writes bench/results/cold-start.json. 2 shared CPU cores here, WebAssembly (no GPU): read the
 * medians and ratios, not single runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { preview } from 'vite';
import { launchChromium } from '../tests/support/browser.ts';
import { DEMO_PROBLEM, DEMO_ANSWER } from '../tests/support/demo-problem.ts';

// ── Defaults ──
const REPS = Number(option('--reps') ?? 3);
const OUT_DIR = resolve('.tmp/bench-dist');
const ANSWER_TIMEOUT_MS = 180_000;
const PROBLEMS = [
  { kind: 'symbolic', problem: 'Solve for x: 3x - 7 = 2x + 5', answer: '12', warmProblem: 'Solve for x: 4x + 1 = 2x + 9' },
  { kind: 'model', problem: DEMO_PROBLEM, answer: DEMO_ANSWER, warmProblem: 'Bakery staff pack 250 muffins into boxes that hold 6 each. How many boxes do they need?' },
] as const;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

execFileSync('npx', ['vite', 'build', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
const server = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port: 0, open: false } });
const origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;

interface Run { coldMs: number; warmMs: number; answer: string | null; method: string | null }
const results: Record<string, Run[]> = {};
try {
  for (const { kind, problem, warmProblem } of PROBLEMS.filter((p) => !option('--only') || p.kind === option('--only'))) {
    results[kind] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const solveOnce = async (text: string) => {
          await page.getByTestId('problem-input').fill(text);
          await page.getByTestId('solve').click();
          await page.waitForFunction((q) => document.querySelector<HTMLElement>('[data-testid="result"]')?.dataset.question === q || document.querySelector('[data-testid="solve-error"]') !== null, text, { timeout: ANSWER_TIMEOUT_MS });
        };
        const opened = performance.now();
        await page.goto(`${origin}/`);
        await solveOnce(problem);
        const coldMs = performance.now() - opened;
        const result = page.getByTestId('result');
        const answer = await result.getByTestId('chosen-answer').getAttribute('data-answer', { timeout: 1_000 }).catch(() => null);
        const method = await result.getAttribute('data-method', { timeout: 1_000 }).catch(() => null);
        const error = await page.getByTestId('solve-error').textContent({ timeout: 500 }).catch(() => null);
        if (error) console.log(`${kind} #${rep + 1}: the page showed an error: ${error}`);
        const unsure = await result.getByTestId('not-sure-reason').textContent({ timeout: 500 }).catch(() => null);
        if (unsure) console.log(`${kind} #${rep + 1}: not sure: ${unsure}; attempts: ${await result.getByTestId('attempt').allTextContents()}`);
        const again = performance.now();
        await solveOnce(warmProblem);
        const warmMs = performance.now() - again;
        results[kind]!.push({ coldMs, warmMs, answer, method });
        console.log(`${kind} #${rep + 1}: cold ${(coldMs / 1000).toFixed(1)} s, warm ${(warmMs / 1000).toFixed(2)} s, answer ${answer} (${method ?? 'method not shown'})`);
      } finally {
        await browser.close();
      }
    }
  }
} finally {
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}

const summary = Object.fromEntries(PROBLEMS.filter((p) => results[p.kind]).map(({ kind, problem, answer }) => {
  const runs = results[kind]!;
  const cold = median(runs.map((r) => r.coldMs));
  const warm = median(runs.map((r) => r.warmMs));
  return [kind, {
    problem, expected: answer, right: runs.filter((r) => r.answer === answer).length, reps: runs.length,
    coldMedianMs: Math.round(cold), warmMedianMs: Math.round(warm), coldOverWarm: Number((cold / warm).toFixed(1)), runs,
  }];
}));
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/cold-start.json', `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, reps: REPS, summary }, null, 2)}\n`);
console.log(JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, { cold: v.coldMedianMs, warm: v.warmMedianMs, right: `${v.right}/${v.reps}` }]))));
