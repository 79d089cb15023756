/**
 * A real model's figures, for a machine with a GPU and network access to the model's host:
 *
 *   npm run bench:real -- --model qwen2.5-math-1.5b-instruct [--problems 20] [--samples 8] [--data ../shared/data] [--chromium-arg <flag>]...
 *
 * Reads the registry entry (models/registry.json), builds its package description from the hub the
 * way the page does (workers/model/hub.ts: revision resolved to a commit, the tree API's file list,
 * config.json and generation_config.json), then runs the app's own pipeline in Chromium with WebGPU
 * (scripts/eval-chromium.ts: the solver worker downloads and verifies the files, loads them in ONNX
 * Runtime Web, runs the sandboxed Python) on the first `--problems` GSM8K and MATH500 test problems
 * (read at run time from `--data`), and writes bench/results/real-<id>.json: accuracy per set, generated
 * tokens per second, load time and the page's memory (performance.measureUserAgentSpecificMemory;
 * browsers do not report GPU memory, so the model's memory plan is given beside it).
 *
 * Where the hub cannot be reached it stops before starting anything, with a message saying so, and
 * writes nothing (exit code 3). Every request the page makes must stay on loopback or go to the entry's
 * hosts (registry.ts modelHosts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import registryJson from '../models/registry.json';
import { hubPackage, type HubPackage } from '../workers/model/hub.ts';
import { modelHosts, parseRegistry, type RegistryEntry } from '../workers/model/registry.ts';
import { readEvalSet, type EvalItem } from './eval-data.ts';
import { buildReport } from './eval-report.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export class BenchRealError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'BenchRealError';
  }
}

export const USAGE = 'Usage: npm run bench:real -- --model <registry id> [--problems 20] [--samples 8] [--data ../shared/data] [--chromium-arg <flag>]...';

/** The registry entry to measure: one whose files are downloaded from the hub. */
export function entryFor(id: string | undefined, entries: readonly RegistryEntry[] = parseRegistry(registryJson)): RegistryEntry {
  const hubIds = entries.filter((e) => e.layout === 'hub').map((e) => e.id);
  if (!id) throw new BenchRealError(`${USAGE}\nModels from the hub: ${hubIds.join(', ')}.`, 2);
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw new BenchRealError(`The registry (models/registry.json) has no model "${id}". Models from the hub: ${hubIds.join(', ')}.`, 2);
  if (entry.layout !== 'hub') {
    throw new BenchRealError(`"${id}" is not downloaded from the hub (its source is ${entry.source}); measure a package the app serves with npm run eval -- --engine chromium --model ${id}.`, 2);
  }
  return entry;
}

/**
 * The entry's package as the page will read it, from the hub at `source` (the entry's own by default).
 * An unreachable hub, or one that does not answer as the hub does, stops the benchmark here.
 */
export async function preflight(entry: RegistryEntry, source: string = entry.source, timeoutMs = 30_000): Promise<HubPackage> {
  const host = new URL(source).host;
  try {
    return await hubPackage(source, undefined, (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new BenchRealError(
      `bench:real cannot reach the Hugging Face hub (${host}): ${why}\n` +
        `It downloads ${entry.title} (about ${(entry.sizeBytes / 1e9).toFixed(2)} GB) from ${source} and needs network access to ${host} and a GPU. ` +
        'Nothing was measured and no result was written.',
      3,
    );
  }
}

function args(argv: string[]) {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const chromiumArgs = argv.flatMap((a, i) => (a === '--chromium-arg' && argv[i + 1] ? [argv[i + 1]!] : []));
  return { model: value('model'), problems: Number(value('problems') ?? 20), samples: Number(value('samples') ?? 8), data: resolve(value('data') ?? join(REPO, '../shared/data')), chromiumArgs };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(argv: string[]): Promise<void> {
  const a = args(argv);
  const entry = entryFor(a.model);
  const sets: Array<{ name: string; file: string }> = [
    { name: 'gsm8k', file: join(a.data, 'gsm8k/test.jsonl') },
    { name: 'math500', file: join(a.data, 'math500/test.jsonl') },
  ];
  for (const s of sets) if (!existsSync(s.file)) throw new BenchRealError(`The ${s.name} test set is not at ${s.file}; pass --data <folder holding gsm8k/ and math500/>.`, 2);
  const items: Record<string, EvalItem[]> = Object.fromEntries(sets.map((s) => [s.name, readEvalSet(s.file, a.problems)]));
  console.error(`Reading ${entry.id} from ${entry.source} ...`);
  const pkg = await preflight(entry);
  const { evalChromium } = await import('./eval-chromium.ts');
  const all = [...items.gsm8k!, ...items.math500!];
  const started = performance.now();
  const run = await evalChromium(
    {
      model: entry.id,
      samples: a.samples,
      manifest: pkg.manifest,
      allowOrigins: modelHosts([entry]),
      chromiumArgs: a.chromiumArgs,
      log: (line) => console.error(line),
      onProblem: (done, total, s) => console.error(`${done}/${total} ${s.item.id}: ${s.seconds.toFixed(1)} s`),
      afterSolve: async (page) => ({
        memory: await page.evaluate(async () => {
          const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
          return measure ? (await measure.call(performance)).bytes : null;
        }),
      }),
    },
    all,
  );
  const totalSeconds = (performance.now() - started) / 1000;
  const reports = Object.fromEntries(
    sets.map((s) => {
      const solved = run.solved.filter((x) => items[s.name]!.includes(x.item));
      return [s.name, buildReport({ model: entry.id, data: s.file, samples: a.samples, totalSeconds: sum(solved.map((x) => x.seconds)) }, { ...run, solved }).summary];
    }),
  );
  const tokens = sum(run.solved.flatMap((x) => (x.result.method === 'model' ? x.result.samples.map((r) => r.tokens) : [])));
  const solveSeconds = sum(run.solved.map((x) => x.seconds));
  const result = {
    date: new Date().toISOString(),
    model: entry.id,
    source: pkg.folder,
    engine: run.engine,
    device: run.device,
    variant: run.variant,
    problemsPerSet: a.problems,
    samples: a.samples,
    tokensPerSecond: tokens / solveSeconds,
    tokensPerSecondNote: 'tokens generated by every sample (greedy included) over the solves\' wall time, Python runs included; the samples of a problem decode as one batch',
    loadSeconds: run.extra?.warmSeconds,
    pageMemoryBytes: (run.extra?.page as { memory?: number | null } | undefined)?.memory ?? null,
    plannedMemory: entry.requires ?? null,
    memoryNote: 'browsers do not report GPU memory; pageMemoryBytes is performance.measureUserAgentSpecificMemory() (JavaScript and WebAssembly memory of the page and its workers) after the last problem',
    accuracy: reports,
    totalSeconds,
    extra: run.extra,
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const out = join(REPO, `bench/results/real-${entry.id}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof BenchRealError ? error.exitCode : 1);
  });
}
