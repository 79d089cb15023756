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
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { preview } from 'vite';
import { launchChromium } from '../tests/support/browser.ts';
import { DEMO_PROBLEM, DEMO_ANSWER } from '../tests/support/demo-problem.ts';

// ── Defaults ──
const REPS = Number(option('--reps') ?? 3);
const OUT_DIR = resolve(option('--out') ?? '.tmp/bench-dist');
const ANSWER_TIMEOUT_MS = 180_000;
const SYMBOLIC = { problem: 'Solve for x: 3x - 7 = 2x + 5', answer: '12', warmProblem: 'Solve for x: 4x + 1 = 2x + 9' };
const MODEL = { problem: DEMO_PROBLEM, answer: DEMO_ANSWER, warmProblem: 'Bakery staff pack 250 muffins into boxes that hold 6 each. How many boxes do they need?' };
const TARGETS_MS = { firstSymbolic: 5_000, returnSymbolic: 1_500, returnModel: 8_000 };

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

execFileSync('npx', ['vite', 'build', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
const server = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port: 0, open: false } });
const origin = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;

interface Figure { ms: number; answer: string | null; method: string | null; load1: number }
interface Rep { python: string[]; firstSymbolic: Figure; warmSymbolic: Figure; kept: string[]; returnSymbolic: Figure; returnModel: Figure; warmModel: Figure }
const reps: Rep[] = [];
try {
  for (let rep = 0; rep < REPS; rep++) {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      // The solver worker's one line on how Python started (snapshot made or restored from storage), per visit.
      const python: string[] = [];
      context.on('console', (message) => {
        if (message.text().startsWith('Python started')) python.push(message.text());
      });
      const solve = async (page: Page, text: string, opened = performance.now()): Promise<Figure> => {
        await page.getByTestId('problem-input').fill(text);
        await page.getByTestId('solve').click();
        await page.waitForFunction((q) => document.querySelector<HTMLElement>('[data-testid="result"]')?.dataset.question === q || document.querySelector('[data-testid="solve-error"]') !== null, text, { timeout: ANSWER_TIMEOUT_MS });
        const ms = performance.now() - opened;
        const result = page.getByTestId('result');
        const answer = await result.getByTestId('chosen-answer').getAttribute('data-answer', { timeout: 1_000 }).catch(() => null);
        const method = await result.getAttribute('data-method', { timeout: 1_000 }).catch(() => null);
        const error = await page.getByTestId('solve-error').textContent({ timeout: 500 }).catch(() => null);
        if (error) console.log(`#${rep + 1} ${text}: the page showed an error: ${error}`);
        return { ms, answer, method, load1: Number(loadavg()[0]!.toFixed(2)) };
      };
      const visit = async (text: string) => {
        const page = await context.newPage();
        const opened = performance.now();
        await page.goto(`${origin}/`);
        return { page, figure: await solve(page, text, opened) };
      };
      // 1. First visit.
      const first = await visit(SYMBOLIC.problem);
      const warmSymbolic = await solve(first.page, SYMBOLIC.warmProblem);
      // The snapshot is kept once the page has made it (in the background): wait for it, as a student's next visit would.
      const keptKeys = () => first.page.evaluate(() => new Promise<string[]>((resolve) => {
        const open = indexedDB.open('math-tutor-python');
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('snapshots')) return resolve([]);
          const keys = db.transaction('snapshots').objectStore('snapshots').getAllKeys();
          keys.onsuccess = () => resolve(keys.result as string[]);
          keys.onerror = () => resolve([]);
        };
      }));
      let kept: string[] = [];
      for (const until = performance.now() + 60_000; !kept.length && performance.now() < until; ) {
        kept = await keptKeys();
        if (!kept.length) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await first.page.close();
      // 2. Return visit, symbolic.
      const second = await visit(SYMBOLIC.problem);
      await second.page.close();
      // 3. Return visit, model.
      const third = await visit(MODEL.problem);
      const warmModel = await solve(third.page, MODEL.warmProblem);
      await third.page.close();
      const r: Rep = { python, firstSymbolic: first.figure, warmSymbolic, kept, returnSymbolic: second.figure, returnModel: third.figure, warmModel };
      reps.push(r);
      const s = (f: Figure) => `${(f.ms / 1000).toFixed(2)} s (${f.answer}, ${f.method ?? '?'}, load ${f.load1})`;
      console.log(python.join('\n'));
      console.log(`#${rep + 1}: first symbolic ${s(r.firstSymbolic)}, warm ${s(r.warmSymbolic)}; return symbolic ${s(r.returnSymbolic)}; return model ${s(r.returnModel)}, warm ${s(r.warmModel)}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
}

const figure = (name: keyof Omit<Rep, 'kept' | 'python'>, expected: string) => {
  const ms = median(reps.map((r) => r[name].ms));
  return { medianMs: Math.round(ms), right: reps.filter((r) => r[name].answer === expected).length, load1: reps.map((r) => r[name].load1) };
};
const warmSymbolic = figure('warmSymbolic', '4');
const warmModel = figure('warmModel', '42');
const summary = {
  firstSymbolic: { ...figure('firstSymbolic', SYMBOLIC.answer), targetMs: TARGETS_MS.firstSymbolic },
  returnSymbolic: { ...figure('returnSymbolic', SYMBOLIC.answer), targetMs: TARGETS_MS.returnSymbolic },
  returnModel: { ...figure('returnModel', MODEL.answer), targetMs: TARGETS_MS.returnModel },
  warmSymbolic,
  warmModel,
};
const ratios = {
  firstSymbolicOverWarm: Number((summary.firstSymbolic.medianMs / warmSymbolic.medianMs).toFixed(1)),
  returnSymbolicOverWarm: Number((summary.returnSymbolic.medianMs / warmSymbolic.medianMs).toFixed(1)),
  firstOverReturnSymbolic: Number((summary.firstSymbolic.medianMs / summary.returnSymbolic.medianMs).toFixed(1)),
  returnModelOverWarmModel: Number((summary.returnModel.medianMs / warmModel.medianMs).toFixed(1)),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/cold-start.json', `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, reps: REPS, problems: { symbolic: SYMBOLIC, model: MODEL }, summary, ratios, runs: reps }, null, 2)}\n`);
console.log(JSON.stringify({ summary: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, `${v.medianMs} ms, ${v.right}/${REPS} right`])), ratios }));
