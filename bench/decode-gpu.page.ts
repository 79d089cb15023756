/**
 * The page side of bench/decode-gpu.bench.ts: loads a converted package from
 * /tests/fixtures/converted/, creates an ONNX Runtime Web session on WebGPU with the cache either
 * returned to JavaScript (no preferredOutputLocation) or kept in GPU buffers (as workers/model/load.ts
 * does), decodes `tokens` steps for `rows` sampled rows and reports the bytes that crossed.
 */
import { BatchDecoder, type OrtLike, type SessionLike, type TransferBytes } from '../workers/model/decoder.ts';
import { externalDataName, presentNames } from '../workers/model/load.ts';
import { parseManifest, variantFor, verifyFile, type Variant } from '../workers/model/manifest.ts';
import { configureOrt } from '../workers/model/ort-web.ts';
import { tokenizerFromFiles } from '../workers/model/tokenizer.ts';

export interface BenchRun {
  model: string;
  variant: Variant['dtype'];
  rows: number;
  tokens: number;
  kvOnGpu: boolean;
}

export interface BenchResult {
  adapter: string;
  steps: number;
  /** Per decode step (after the prompt's prefill and copy to every row), averaged over the steps. */
  perStep: TransferBytes;
  /** The last step's bytes (the cache is longest then). */
  lastStep: TransferBytes;
  prefill: TransferBytes;
  tokensPerSecond: number;
  kvLocation: string;
}

const ROOT = '/tests/fixtures/converted/';
const diff = (a: TransferBytes, b: TransferBytes): TransferBytes => ({ upload: a.upload - b.upload, download: a.download - b.download, kvUpload: a.kvUpload - b.kvUpload, kvDownload: a.kvDownload - b.kvDownload });
const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

async function run(r: BenchRun): Promise<BenchResult> {
  const ort = configureOrt();
  const folder = `${ROOT}${r.model}/`;
  const manifest = parseManifest(await (await fetch(`${folder}manifest.json`)).json());
  const variant = variantFor(manifest, r.variant);
  const files = [variant.graph, ...variant.externalData, 'tokenizer.json', 'tokenizer_config.json'];
  const contents = await Promise.all(files.map(async (path) => {
    const b = await bytes(`${folder}${path}`);
    await verifyFile(manifest, path, b);
    return b;
  }));
  const [graph, ...rest] = contents;
  const externalData = variant.externalData.map((path, i) => ({ path: externalDataName(variant.graph, path), data: rest[i]! }));
  const [tj, tc] = rest.slice(variant.externalData.length).map((b) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>);
  const a = manifest.architecture;
  const location = r.kvOnGpu ? { preferredOutputLocation: Object.fromEntries(presentNames(a.numLayers).map((n) => [n, 'gpu-buffer' as const])) } : {};
  const session = await ort.InferenceSession.create(graph!, { executionProviders: ['webgpu'], ...location, ...(externalData.length ? { externalData } : {}) });
  const adapter = await navigator.gpu?.requestAdapter();
  try {
    const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: [] as number[], padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
    const d = new BatchDecoder(ort as unknown as OrtLike, session as unknown as SessionLike, tokenizerFromFiles(tj!, tc!), shape, 'webgpu');
    const prompt = 'Question: A shop sells 12 pens at $3 each and 5 notebooks at $4 each. How much do they cost in total?\n\nSolution:\n\n';
    await d.start(prompt, Array.from({ length: r.rows }, (_, i) => ({ seed: i, temperature: 0.8, topP: 0.95 })));
    const afterPrefill = { ...d.transfer };
    let beforeLast = afterPrefill;
    const t0 = performance.now();
    for (let i = 0; i < r.tokens; i += 1) {
      if (i === r.tokens - 1) beforeLast = { ...d.transfer };
      await d.step();
    }
    const seconds = (performance.now() - t0) / 1000;
    const total = diff(d.transfer, afterPrefill);
    const per = (n: number) => n / r.tokens;
    await d.dispose();
    return {
      adapter: `${adapter?.info?.vendor ?? ''} ${adapter?.info?.architecture ?? ''} ${adapter?.info?.description ?? ''}`.trim(),
      steps: r.tokens,
      perStep: { upload: per(total.upload), download: per(total.download), kvUpload: per(total.kvUpload), kvDownload: per(total.kvDownload) },
      lastStep: diff(d.transfer, beforeLast),
      prefill: afterPrefill,
      tokensPerSecond: (r.rows * r.tokens) / seconds,
      kvLocation: r.kvOnGpu ? 'gpu-buffer' : 'cpu',
    };
  } finally {
    await session.release();
  }
}

(window as unknown as { decodeBench: typeof run }).decodeBench = run;
document.title = 'ready';
