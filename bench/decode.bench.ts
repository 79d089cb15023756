/**
 * Decode benchmark for a model package on ONNX Runtime's CPU backend (Node): this
 * project's batched loop against transformers.js `generate()` on the same graph, batch 8
 * against batch 1, a shared prompt prefill against one prefill per sample, and memory.
 *
 *   npx tsx bench/decode.bench.ts [--model demo-mario-tiny] [--packages models/packages] [--variant fp32|q8|q4] [--tokens 64] [--backend cpu|wasm]
 *   npm run bench -- --model converted-llama --packages tests/fixtures/converted --variant q4
 *
 * Any package folder works (the registry's bundled ones, or converted packages with external-data
 * shards, which ONNX Runtime reads beside the graph). Default variant: fp32 when the package has it.
 *
 * Writes bench/results/decode-<model>[-<variant>].json. Ratios are measured in the same run (medians of --reps).
 * Browser figures (WebAssembly, WebGPU) need a page and a GPU; see README.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { BatchDecoder, type OrtLike, type SessionLike } from '../workers/model/decoder.ts';
import { parseManifest, variantFor, type Variant } from '../workers/model/manifest.ts';
import { loadTokenizer } from '../workers/model/tokenizer.ts';

const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const MODEL = option('--model') ?? 'demo-mario-tiny';
const TOKENS = Number(option('--tokens') ?? 64);
const ROOT = resolve(option('--packages') ?? 'models/packages');
const manifest = parseManifest(JSON.parse(readFileSync(join(ROOT, MODEL, 'manifest.json'), 'utf8')));
const VARIANT = variantFor(manifest, (option('--variant') as Variant['dtype'] | undefined) ?? (manifest.variants.some((v) => v.dtype === 'fp32') ? 'fp32' : manifest.defaultVariant.wasm));
const a = manifest.architecture;
const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: [] as number[], padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
/**
 * --backend cpu (default): onnxruntime-node. --backend wasm: onnxruntime-web's WebAssembly build, one thread,
 * the kernels the page runs on a CPU (transformers.js offers no wasm device in Node, so `generate()` is
 * compared on cpu only).
 */
const BACKEND = option('--backend') === 'wasm' ? 'wasm' : 'cpu';
const ortWeb = BACKEND === 'wasm' ? await import('onnxruntime-web') : undefined;
if (ortWeb) ortWeb.env.wasm.numThreads = 1;
const session = (ortWeb
  ? await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(join(ROOT, MODEL, VARIANT.graph))), { executionProviders: ['wasm'] })
  : await ort.InferenceSession.create(join(ROOT, MODEL, VARIANT.graph))) as unknown as SessionLike;
const tokenizer = await loadTokenizer(`${ROOT}/`, MODEL);
const prompt = manifest.reference?.prompt ?? 'Question: A shop sells 12 pens at $3 each and 5 notebooks at $4 each. How much do they cost in total?\n\nSolution:\n\n';
const O = (ortWeb ?? ort) as unknown as OrtLike;
let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

async function loop(rows: number): Promise<{ seconds: number; tokens: number; ttftMs: number }> {
  const d = new BatchDecoder(O, session, tokenizer, shape, 'cpu');
  const t0 = performance.now();
  await d.start(prompt, Array.from({ length: rows }, (_, i) => ({ seed: i, temperature: 0.8, topP: 0.95 })));
  await d.step();
  const ttftMs = performance.now() - t0;
  for (let i = 1; i < TOKENS; i += 1) {
    await d.step();
    sampleRss();
  }
  return { seconds: (performance.now() - t0) / 1000, tokens: rows * TOKENS, ttftMs };
}

async function separatePrefills(rows: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < rows; r += 1) {
    const d = new BatchDecoder(O, session, tokenizer, shape, 'cpu');
    await d.start(prompt, [{ seed: r, temperature: 0.8, topP: 0.95 }]);
    await d.step();
  }
  return performance.now() - t0;
}

async function transformersGenerate(): Promise<{ seconds: number; tokens: number }> {
  env.allowRemoteModels = false;
  env.localModelPath = `${ROOT}/`;
  const model = await AutoModelForCausalLM.from_pretrained(MODEL, { dtype: VARIANT.dtype, device: 'cpu' });
  const ids = tokenizer.encode(prompt);
  const input = { input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]), attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]) };
  await model.generate({ ...input, max_new_tokens: 4, min_new_tokens: 4, do_sample: false } as never);
  const t0 = performance.now();
  await model.generate({ ...input, max_new_tokens: TOKENS, min_new_tokens: TOKENS, do_sample: false } as never);
  sampleRss();
  return { seconds: (performance.now() - t0) / 1000, tokens: TOKENS };
}

const REPS = Number(option('--reps') ?? 3);
const median = <T,>(xs: T[], key: (x: T) => number): T => [...xs].sort((p, q) => key(p) - key(q))[Math.floor(xs.length / 2)]!;
await loop(1); // warm-up
await loop(8);
const ones = [];
const eights = [];
const separates = [];
for (let r = 0; r < REPS; r += 1) {
  ones.push(await loop(1));
  eights.push(await loop(8));
  separates.push(await separatePrefills(8));
}
const one = median(ones, (x) => x.seconds);
const eight = median(eights, (x) => x.seconds);
const eightTtft = median(eights, (x) => x.ttftMs).ttftMs;
const separateMs = median(separates, (x) => x);
let generate: { seconds: number; tokens: number } | { error: string };
try {
  if (BACKEND === 'wasm') throw new Error('transformers.js has no wasm device in Node');
  generate = await transformersGenerate();
} catch (error) {
  generate = { error: String(error).split('\n')[0]! };
}
const tps = (r: { seconds: number; tokens: number }) => r.tokens / r.seconds;
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  model: MODEL,
  backend: BACKEND === 'wasm' ? `onnxruntime-web wasm (1 thread, in Node), ${VARIANT.dtype}` : `onnxruntime-node cpu, ${VARIANT.dtype}`,
  tokensPerSequence: TOKENS,
  batch1TokensPerSecond: tps(one),
  batch8AggregateTokensPerSecond: tps(eight),
  batch8OverBatch1: tps(eight) / tps(one),
  generateTokensPerSecond: 'error' in generate ? null : tps(generate),
  loopOverGenerate: 'error' in generate ? null : tps(one) / tps(generate),
  generateError: 'error' in generate ? generate.error : undefined,
  timeToFirstToken8SharedPrefixMs: eightTtft,
  timeToFirstToken8SeparatePrefillsMs: separateMs,
  sharedOverSeparate: eightTtft / separateMs,
  repetitions: REPS,
  peakRssMiB: peakRss / 2 ** 20,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/decode-${MODEL}${VARIANT.dtype === 'fp32' ? '' : `-${VARIANT.dtype}`}${BACKEND === 'wasm' ? '-wasm' : ''}.json`, `${JSON.stringify(result, null, 2)}\n`);
console.table({
  'batch 1 loop (tok/s)': result.batch1TokensPerSecond.toFixed(1),
  'transformers.js generate (tok/s)': result.generateTokensPerSecond?.toFixed(1) ?? `failed: ${result.generateError}`,
  'loop / generate': result.loopOverGenerate?.toFixed(2) ?? 'n/a',
  'batch 8 aggregate (tok/s)': result.batch8AggregateTokensPerSecond.toFixed(1),
  'batch 8 / batch 1': result.batch8OverBatch1.toFixed(2),
  'first token, 8 samples, shared prefill (ms)': result.timeToFirstToken8SharedPrefixMs.toFixed(1),
  'first token, 8 samples, separate prefills (ms)': result.timeToFirstToken8SeparatePrefillsMs.toFixed(1),
  'peak RSS (MiB)': result.peakRssMiB.toFixed(0),
});
