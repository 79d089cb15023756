/**
 * Python start-up benchmark (Node, real Pyodide): how long the interpreter takes to
 * give its first result, a warm `print(1)` round trip, and `import sympy`, for three
 * ways of shipping sympy + mpmath:
 *
 *   source           the plain .py files (the naive approach): every start compiles sympy
 *   compile-on-load  the plain .py files, byte-compiled inside Pyodide when it starts
 *   bytecode         sourceless .pyc built by `npm run prepare:python` (what the app ships)
 *
 * Each variant runs in a fresh Node process (no wasm or import cache shared), `--reps`
 * times; medians are reported, with ratios against `source`.
 *
 *   npm run prepare:python && npx tsx bench/python.bench.ts [--reps 3]
 *
 * Isolation (`--only isolation` runs just this part): the cost of giving every solution
 * an interpreter of its own, restored from a snapshot (workers/python/fresh.ts, what the
 * Node evaluation uses; the browser pool does the same in a worker per solution), against
 * the former shared interpreter (all sessions on one interpreter) measured in the same run:
 * time per code run in a running solution, per new solution (its first block), and the
 * Python side of an 8-sample solve (8 solutions x 3 sympy blocks).
 *
 *   npx tsx bench/python.bench.ts --only isolation [--reps 3]
 *
 * Writes bench/results/python.json (a partial run keeps the other part's figures). The figures are interpreter costs in Node; in
 * the browser a worker adds the transfer of the files and the message round trip
 * (the Chromium pool test logs its own warm-up and round-trip times).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

// ── Defaults ──
const REPS = Number(option('--reps') ?? 3);
const ROUND_TRIPS = 50; // warm print(1) calls timed per run
const BYTECODE_ZIP = 'public/pyodide/sympy.zip';
const SOURCE_ZIP = '.tmp/bench/sympy-source.zip';
const SITE = '/lib/python3.14/site-packages';
const VARIANTS = ['source', 'compile-on-load', 'bytecode'] as const;
type Variant = (typeof VARIANTS)[number];

interface Run {
  loadRuntimeMs: number;
  unpackMs: number;
  compileMs: number;
  importSympyMs: number;
  firstResultMs: number;
  roundTripMs: number;
  archiveBytes: number;
}

const ISOLATION_MODES = ['shared', 'fresh'] as const;
type IsolationMode = (typeof ISOLATION_MODES)[number];
const SOLVE_SAMPLES = 8;
const SOLVE_BLOCKS = [
  'from sympy import symbols, solve, Rational\nx = symbols("x")\nroots = solve(x**2 - 5*x + 6, x)\nprint(roots)',
  'total = sum(r**2 for r in roots)\nprint(total)',
  'print(Rational(total, 7) + Rational(1, 3))',
];

interface IsolationRun {
  setupMs: number;
  newSolutionMs: number;
  roundTripMs: number;
  solve8Ms: number;
}

/** One isolation mode in this process: the child side. */
async function measureIsolation(mode: IsolationMode): Promise<IsolationRun> {
  const { loadPyodide } = await import('pyodide');
  const { Interpreter } = await import('../workers/python/interpreter.ts');
  const { FreshInterpreters, pyodideFactory } = await import('../workers/python/fresh.ts');
  const createModule = await pyodideFactory();
  const options = { runner: readFileSync('workers/python/runner.py', 'utf8'), packages: new Uint8Array(readFileSync(BYTECODE_ZIP)) };
  const t0 = performance.now();
  let python: { run(s: string, c: string): Promise<{ output: string }>; closeSession(s: string): Promise<void> };
  if (mode === 'shared') {
    const shared = await Interpreter.create(await loadPyodide(), options);
    shared.warmSympy();
    python = { run: async (s, c) => shared.run(s, c), closeSession: async (s) => shared.closeSession(s) };
  } else {
    python = await FreshInterpreters.create((o) => loadPyodide(o), createModule, { ...options, wasm: new Uint8Array(readFileSync('node_modules/pyodide/pyodide.asm.wasm')) });
  }
  const setupMs = performance.now() - t0;
  const firsts: number[] = [];
  for (let i = 0; i < SOLVE_SAMPLES; i++) {
    const s = performance.now();
    if ((await python.run(`new-${i}`, 'print(1)')).output !== '1') throw new Error('print(1) failed');
    firsts.push(performance.now() - s);
    await python.closeSession(`new-${i}`);
  }
  const trips: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const s = performance.now();
    if ((await python.run('warm', 'print(1)')).output !== '1') throw new Error('print(1) failed');
    trips.push(performance.now() - s);
  }
  const solveStart = performance.now();
  for (let i = 0; i < SOLVE_SAMPLES; i++) {
    const outputs: string[] = [];
    for (const block of SOLVE_BLOCKS) outputs.push((await python.run(`sample-${i}`, block)).output);
    if (outputs.join('|') !== '[2, 3]|13|46/21') throw new Error(`unexpected solve outputs: ${outputs.join('|')}`);
    await python.closeSession(`sample-${i}`);
  }
  return { setupMs, newSolutionMs: median(firsts), roundTripMs: median(trips), solve8Ms: performance.now() - solveStart };
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (x: number) => Math.round(x * 100) / 100;

/** One variant in this process: the child side. */
async function measure(variant: Variant): Promise<Run> {
  const { loadPyodide } = await import('pyodide');
  const t0 = performance.now();
  const pyodide = await loadPyodide();
  const t1 = performance.now();
  const archive = readFileSync(variant === 'bytecode' ? BYTECODE_ZIP : SOURCE_ZIP);
  pyodide.unpackArchive(new Uint8Array(archive), 'zip', { extractDir: SITE });
  pyodide.FS.writeFile(`${SITE}/tutor_runner.py`, readFileSync('workers/python/runner.py', 'utf8'));
  const t2 = performance.now();
  if (variant === 'compile-on-load') {
    pyodide.runPython(`import compileall, py_compile
compileall.compile_dir('${SITE}/sympy', quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
compileall.compile_dir('${SITE}/mpmath', quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)`);
  }
  const t3 = performance.now();
  pyodide.runPython('import sympy, mpmath');
  const t4 = performance.now();
  const runner = pyodide.pyimport('tutor_runner') as unknown as { run: (s: string, c: string, n: number) => { toJs(o: object): { output: string }; destroy(): void } };
  const call = (code: string) => {
    const proxy = runner.run('bench', code, 400);
    try {
      return proxy.toJs({ dict_converter: Object.fromEntries }).output;
    } finally {
      proxy.destroy();
    }
  };
  const first = call('from sympy import symbols, solve\nx = symbols("x")\nsolve(x**2 - 4, x)');
  const t5 = performance.now();
  if (first !== '[-2, 2]') throw new Error(`unexpected first result: ${first}`);
  const trips: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const s = performance.now();
    if (call('print(1)') !== '1') throw new Error('print(1) failed');
    trips.push(performance.now() - s);
  }
  return {
    loadRuntimeMs: t1 - t0,
    unpackMs: t2 - t1,
    compileMs: t3 - t2,
    importSympyMs: t4 - t3,
    firstResultMs: t5 - t0,
    roundTripMs: median(trips),
    archiveBytes: archive.length,
  };
}

function makeSourceZip(): void {
  if (existsSync(SOURCE_ZIP)) return;
  mkdirSync('.tmp/bench', { recursive: true });
  const manifest = JSON.parse(readFileSync('public/pyodide/packages.json', 'utf8')) as { source: string };
  // The same files as the shipped archive (tests and benchmarks left out), as plain sources.
  execFileSync('/usr/bin/python3', ['-c', `
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for name in ('sympy', 'mpmath'):
        for root, dirs, files in os.walk(os.path.join(src, name)):
            dirs[:] = sorted(d for d in dirs if d not in ('__pycache__', 'tests', 'benchmarks'))
            for f in sorted(files):
                if f.endswith('.pyc'):
                    continue
                full = os.path.join(root, f)
                z.write(full, os.path.relpath(full, src))
`, manifest.source, SOURCE_ZIP]);
}

async function main(): Promise<void> {
  const child = option('--variant') as Variant | undefined;
  if (child) {
    process.stdout.write(`${JSON.stringify(await measure(child))}\n`);
    return;
  }
  const isolationChild = option('--isolation-mode') as IsolationMode | undefined;
  if (isolationChild) {
    process.stdout.write(`${JSON.stringify(await measureIsolation(isolationChild))}\n`);
    return;
  }
  if (!existsSync(BYTECODE_ZIP)) throw new Error(`${BYTECODE_ZIP} is missing: run npm run prepare:python`);
  const only = option('--only');
  const previous = existsSync('bench/results/python.json') ? (JSON.parse(readFileSync('bench/results/python.json', 'utf8')) as Record<string, unknown>) : {};
  const isolation = only === 'startup' ? previous.isolation : await benchIsolation();
  if (only === 'isolation') {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/python.json', `${JSON.stringify({ ...previous, isolation }, null, 2)}\n`);
    return;
  }
  makeSourceZip();
  const results: Record<string, Record<string, number>> = {};
  for (const variant of VARIANTS) {
    const runs: Run[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const out = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--variant', variant], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`${variant} failed:\n${out.stderr}`);
      runs.push(JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Run);
    }
    const keys = Object.keys(runs[0]!) as Array<keyof Run>;
    results[variant] = Object.fromEntries(keys.map((k) => [k, round(median(runs.map((r) => r[k])))]));
    console.log(variant, results[variant]);
  }
  const base = results.source!;
  const ratios = Object.fromEntries(
    VARIANTS.filter((v) => v !== 'source').map((v) => [v, {
      firstResult: round(results[v]!.firstResultMs! / base.firstResultMs!),
      importSympy: round(results[v]!.importSympyMs! / base.importSympyMs!),
      compilePlusImport: round((results[v]!.compileMs! + results[v]!.importSympyMs!) / base.importSympyMs!),
      roundTrip: round(results[v]!.roundTripMs! / base.roundTripMs!),
    }]),
  );
  const manifest = JSON.parse(readFileSync('public/pyodide/packages.json', 'utf8')) as { pyodide: string; packages: Record<string, string> };
  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    pyodide: manifest.pyodide,
    packages: manifest.packages,
    reps: REPS,
    roundTripsPerRun: ROUND_TRIPS,
    sourceZipBytes: statSync(SOURCE_ZIP).size,
    medians: results,
    ratiosVsSource: ratios,
    isolation,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/python.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(ratios, null, 2));
}

async function benchIsolation(): Promise<Record<string, unknown>> {
  const medians: Record<string, Record<string, number>> = {};
  for (const mode of ISOLATION_MODES) {
    const runs: IsolationRun[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const out = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--isolation-mode', mode], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`isolation ${mode} failed:\n${out.stderr}`);
      runs.push(JSON.parse(out.stdout.trim().split('\n').at(-1)!) as IsolationRun);
    }
    const keys = Object.keys(runs[0]!) as Array<keyof IsolationRun>;
    medians[mode] = Object.fromEntries(keys.map((k) => [k, round(median(runs.map((r) => r[k])))]));
    console.log('isolation', mode, medians[mode]);
  }
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    reps: REPS,
    what: 'Node, real Pyodide. shared = one interpreter for all sessions (the former design); fresh = an interpreter per solution restored from a snapshot (workers/python/fresh.ts). newSolutionMs: first print(1) of a new solution; roundTripMs: print(1) in a running one; solve8Ms: 8 solutions x 3 sympy blocks, in turn.',
    medians,
    extraPerNewSolutionMs: round(medians.fresh!.newSolutionMs! - medians.shared!.newSolutionMs!),
    extraPerSolve8Ms: round(medians.fresh!.solve8Ms! - medians.shared!.solve8Ms!),
  };
}

await main();
