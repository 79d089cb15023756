/**
 * The page side of bench/decode-gpu.bench.ts: loads a converted package from
 * /tests/fixtures/converted/, creates an ONNX Runtime Web session on WebGPU with the cache and logits
 * returned to JavaScript (no preferredOutputLocation), the cache kept in GPU buffers, or both kept there
 * (as workers/model/load.ts does), decodes `tokens` steps for `rows` sampled rows, appends
 * `appendTokens` tokens of output to every row, and reports the bytes that crossed.
 */
import { BatchDecoder, type OrtLike, type SessionLike, type TransferBytes } from '../workers/model/decoder.ts';
import { externalDataName, gpuOutputLocations, presentNames } from '../workers/model/load.ts';
import { parseManifest, variantFor, verifyFile, type Variant } from '../workers/model/manifest.ts';
import { configureOrt } from '../workers/model/ort-web.ts';
import { tokenizerFromFiles } from '../workers/model/tokenizer.ts';

export interface BenchRun {
  model: string;
  variant: Variant['dtype'];
  rows: number;
  tokens: number;
  kvOnGpu: boolean;
  /** Keep the logits on the GPU too, reading back only each fed row's last position (as load.ts does). */
  logitsOnGpu?: boolean;
  /** Tokens of code output appended to every row after the decode steps (0: none). */
  appendTokens?: number;
}

export interface BenchResult {
  adapter: string;
  steps: number;
  /** Per decode step (after the prompt's prefill and copy to every row), averaged over the steps. */
  perStep: TransferBytes;
  /** The last step's bytes (the cache is longest then). */
  lastStep: TransferBytes;
  prefill: TransferBytes;
  /** Per append of `appendTokens` tokens of output to one row (every row gets one), averaged over the rows. */
  perAppend?: TransferBytes & { tokens: number; webgpuApi: ApiBytes };
  /** Per decode step, as the WebGPU API counted (16-byte aligned; timestamp and uniform traffic of ONNX Runtime included). */
  perStepWebgpuApi: ApiBytes;
  tokensPerSecond: number;
  kvLocation: string;
  logitsLocation: string;
  vocabSize: number;
  hasValues: boolean;
}

const ROOT = '/tests/fixtures/converted/';

/**
 * Bytes the WebGPU API itself moved, counted below ONNX Runtime: read back (buffers mapped for reading)
 * and sent (queue.writeBuffer, buffers mapped at creation). An independent check of the decoder's own
 * count (a helper op ONNX Runtime placed on the CPU would read its whole input back, and show here).
 */
const api = { read: 0, written: 0 };
if (typeof GPUDevice !== 'undefined') {
  const MAP_READ = 0x0001;
  const readable = new WeakSet<GPUBuffer>();
  const create = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
    const b = create.call(this, d);
    if (d.usage & MAP_READ) readable.add(b);
    else if (d.mappedAtCreation) api.written += d.size;
    return b;
  };
  const map = GPUBuffer.prototype.mapAsync;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, mode: number, offset?: number, size?: number) {
    if (readable.has(this)) api.read += size ?? this.size - (offset ?? 0);
    return map.call(this, mode, offset, size);
  };
  const write = GPUQueue.prototype.writeBuffer;
  GPUQueue.prototype.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number) {
    api.written += size ?? (data as ArrayBufferView).byteLength ?? 0;
    return (write as (...a: unknown[]) => undefined).call(this, buffer, offset, data, dataOffset, size);
  };
}
export type ApiBytes = typeof api;
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
  const location = r.logitsOnGpu ? gpuOutputLocations(a.numLayers) : r.kvOnGpu ? { preferredOutputLocation: Object.fromEntries(presentNames(a.numLayers).map((n) => [n, 'gpu-buffer' as const])) } : {};
  const session = await ort.InferenceSession.create(graph!, { executionProviders: ['webgpu'], ...location, ...(externalData.length ? { externalData } : {}) });
  const adapter = await navigator.gpu?.requestAdapter();
  try {
    const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: [] as number[], padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
    const tokenizer = tokenizerFromFiles(tj!, tc!);
    const d = new BatchDecoder(ort as unknown as OrtLike, session as unknown as SessionLike, tokenizer, shape, 'webgpu');
    const prompt = 'Question: A shop sells 12 pens at $3 each and 5 notebooks at $4 each. How much do they cost in total?\n\nSolution:\n\n';
    await d.start(prompt, Array.from({ length: r.rows }, (_, i) => ({ seed: i, temperature: 0.8, topP: 0.95 })));
    const afterPrefill = { ...d.transfer };
    const apiBefore = { ...api };
    let beforeLast = afterPrefill;
    const t0 = performance.now();
    for (let i = 0; i < r.tokens; i += 1) {
      if (i === r.tokens - 1) beforeLast = { ...d.transfer };
      await d.step();
    }
    const seconds = (performance.now() - t0) / 1000;
    const total = diff(d.transfer, afterPrefill);
    const perStepWebgpuApi = { read: (api.read - apiBefore.read) / r.tokens, written: (api.written - apiBefore.written) / r.tokens };
    const per = (n: number) => n / r.tokens;
    let perAppend: BenchResult['perAppend'];
    if (r.appendTokens) {
      // A code output of exactly appendTokens tokens (as the decoder encodes appended text), one per row.
      let text = '```output\n';
      for (let i = 0; (tokenizer.encodeContinuation?.(text) ?? tokenizer.encode(text)).length < r.appendTokens; i += 1) text += `${(i * 37) % 1000} `;
      const tokens = (tokenizer.encodeContinuation?.(text) ?? tokenizer.encode(text)).length;
      for (let row = 0; row < r.rows; row += 1) d.pause(row);
      const before = { ...d.transfer };
      const apiAppend = { ...api };
      for (let row = 0; row < r.rows; row += 1) await d.append(row, text);
      const t = diff(d.transfer, before);
      const webgpuApi = { read: (api.read - apiAppend.read) / r.rows, written: (api.written - apiAppend.written) / r.rows };
      perAppend = { upload: t.upload / r.rows, download: t.download / r.rows, kvUpload: t.kvUpload / r.rows, kvDownload: t.kvDownload / r.rows, tokens, webgpuApi };
    }
    await d.dispose();
    return {
      adapter: `${adapter?.info?.vendor ?? ''} ${adapter?.info?.architecture ?? ''} ${adapter?.info?.description ?? ''}`.trim(),
      steps: r.tokens,
      perStep: { upload: per(total.upload), download: per(total.download), kvUpload: per(total.kvUpload), kvDownload: per(total.kvDownload) },
      lastStep: diff(d.transfer, beforeLast),
      perStepWebgpuApi,
      prefill: afterPrefill,
      ...(perAppend ? { perAppend } : {}),
      tokensPerSecond: (r.rows * r.tokens) / seconds,
      kvLocation: r.kvOnGpu ? 'gpu-buffer' : 'cpu',
      logitsLocation: r.logitsOnGpu ? 'gpu-buffer' : 'cpu',
      vocabSize: a.vocabSize,
      hasValues: manifest.valueHead.present,
    };
  } finally {
    await session.release();
  }
}

(window as unknown as { decodeBench: typeof run }).decodeBench = run;
document.title = 'ready';
