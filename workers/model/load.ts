/**
 * Loads a model package served at a base URL: manifest checked, device chosen, the
 * graph, its external-data shards and the tokenizer downloaded with progress and verified
 * against their sha256, the inference session created with the shards, the tokenizer built
 * from the verified files.
 */
import { progressEvent } from '../common/progress.ts';
import type { Capabilities, LoadModelOptions, ProgressEvent } from '../contracts.ts';
import { configureOrt } from './ort-web.ts';
import { guardSession, watchDeviceLoss } from './device-loss.ts';
import { parseManifest, variantFor, verifyFile, type Manifest, type PackageFile, type Variant } from './manifest.ts';
import { tokenizerFromFiles } from './tokenizer.ts';
import { downloadFile, type FileStore } from './download.ts';
import { graphIO, type DecoderShape, type OrtLike, type SessionLike, type TokenizerLike } from './decoder.ts';
import { checkOperators } from './graph-ops.ts';
import { AppError, UnsupportedError } from '../common/errors.ts';
import { hubPackage, hubRepoOf } from './hub.ts';
import { budgetFor, checkCreation, KV_DTYPE, MemoryPlanError, planMemory, type GraphFiles, type KvDtype, type MemoryPlan } from './memory-plan.ts';

export interface LoadedModel {
  manifest: Manifest;
  session: SessionLike;
  tokenizer: TokenizerLike;
  shape: DecoderShape;
  ort: OrtLike;
  device: 'webgpu' | 'wasm';
  variant: Variant;
  /** Why this device was chosen, in words for the user. */
  deviceReason: string;
  /** Batch (samples decoded together) and context that fit this device. */
  plan: MemoryPlan;
}

export interface DeviceChoice {
  device: 'webgpu' | 'wasm';
  dtype: Variant['dtype'];
  /** Why this device was chosen, in words for the user. */
  reason: string;
  /** Batch and context that fit the device, and the memory they need. */
  plan: MemoryPlan;
}

/** The bytes of a variant's graph file and of its external-data shards, from the manifest. */
export function graphFiles(manifest: Manifest, variant: Variant): GraphFiles {
  const size = (path: string) => manifest.files.find((f) => f.path === path)?.bytes ?? 0;
  return { graphBytes: size(variant.graph), externalBytes: variant.externalData.reduce((n, p) => n + size(p), 0) };
}

/**
 * The memory plan of a variant on a device. `kvCacheDtype`: the cache dtype the loaded session really
 * takes (its past_key_values input types), which overrides what the manifest says or the default.
 */
export function planFor(manifest: Manifest, device: 'webgpu' | 'wasm', dtype: Variant['dtype'], gpu: Capabilities['webgpu'], deviceMemoryGiB: number | undefined, kvCacheDtype?: KvDtype): MemoryPlan {
  // A session that cannot even be created is refused first (a single-file graph is copied whole into WebAssembly memory).
  const variant = variantFor(manifest, dtype);
  checkCreation(graphFiles(manifest, variant), dtype, device);
  const kv = kvCacheDtype ?? variant.kvCacheDtype ?? KV_DTYPE[dtype];
  return planMemory(manifest.architecture, dtype, budgetFor(device, gpu, deviceMemoryGiB), { batch: manifest.sampling.samples, context: manifest.contextLength, kvCacheDtype: kv });
}

/** The cache outputs of a decoder graph with this many layers. */
export function presentNames(numLayers: number): string[] {
  return Array.from({ length: numLayers }, (_, l) => [`present.${l}.key`, `present.${l}.value`]).flat();
}

/**
 * Where a WebGPU session leaves its outputs: the cache (present.*) and the logits stay on the GPU; the
 * decoder feeds the cache back and reads only the logits it samples from (gpu-ops.ts).
 */
export function gpuOutputLocations(numLayers: number): { preferredOutputLocation: Record<string, 'gpu-buffer'> } {
  return { preferredOutputLocation: Object.fromEntries([...presentNames(numLayers), 'logits'].map((n) => [n, 'gpu-buffer' as const])) };
}

/** A variant that computes or keeps float16 on the GPU needs the adapter's shader-f16 feature. */
export function needsF16(v: Pick<Variant, 'dtype' | 'kvCacheDtype'>): boolean {
  return v.dtype === 'fp16' || v.dtype === 'q4f16' || v.kvCacheDtype === 'float16';
}

/** The variant to run on a GPU without shader-f16: q4, then fp32, then q8, among those without float16. */
function withoutF16(manifest: Manifest): Variant | undefined {
  return (['q4', 'fp32', 'q8'] as const).map((d) => manifest.variants.find((v) => v.dtype === d && !needsF16(v))).find((v) => v !== undefined);
}

/**
 * WebAssembly with the package's default variant for it, or, when that one does not fit (e.g. a
 * single-file graph too large to create there), the first other variant that does; the default's
 * MemoryPlanError when none fits.
 */
function wasmChoice(manifest: Manifest, reason: string, gpu: Capabilities['webgpu'], deviceMemoryGiB: number | undefined): DeviceChoice {
  const preferred = manifest.defaultVariant.wasm;
  const order = [preferred, ...(['q4', 'q8', 'fp32', 'q4f16', 'fp16'] as const).filter((d) => d !== preferred && manifest.variants.some((v) => v.dtype === d))];
  let first: unknown;
  for (const dtype of order) {
    try {
      const plan = planFor(manifest, 'wasm', dtype, gpu, deviceMemoryGiB);
      return { device: 'wasm', dtype, reason: dtype === preferred ? reason : `${reason} The ${preferred} variant does not fit WebAssembly (${(first as Error).message}); the ${dtype} variant does.`, plan };
    } catch (error) {
      if (!(error instanceof MemoryPlanError)) throw error;
      first ??= error;
    }
  }
  throw first;
}

/**
 * WebGPU when a hardware adapter exists, has the shaders the variant needs and its memory
 * plan fits; otherwise WebAssembly. Throws MemoryPlanError (with the numbers) when the
 * model fits neither.
 */
export function chooseDevice(manifest: Manifest, gpu: Capabilities['webgpu'], deviceMemoryGiB?: number, forced?: 'webgpu' | 'wasm'): DeviceChoice {
  if (forced === 'wasm') return wasmChoice(manifest, 'WebAssembly was asked for.', gpu, deviceMemoryGiB);
  if (forced === 'webgpu') {
    if (!gpu.available) throw new UnsupportedError('WebGPU was asked for, but this browser has no usable adapter.', { hint: gpu.reason ?? 'Use WebAssembly.' });
    const preferred = manifest.defaultVariant.webgpu;
    const dtype = needsF16(variantFor(manifest, preferred)) && !gpu.shaderF16 ? withoutF16(manifest)?.dtype : preferred;
    if (!dtype) throw new UnsupportedError('WebGPU was asked for, but this GPU lacks the 16-bit float shaders the model needs.');
    return { device: 'webgpu', dtype, reason: 'WebGPU was asked for.', plan: planFor(manifest, 'webgpu', dtype, gpu, deviceMemoryGiB) };
  }
  const onWasm = (reason: string): DeviceChoice => wasmChoice(manifest, reason, gpu, deviceMemoryGiB);
  if (!gpu.available) return onWasm(gpu.reason ?? 'WebGPU is not available; running on the CPU (WebAssembly).');
  if (gpu.isFallbackAdapter) return onWasm('The only WebGPU adapter is a software one, which is slower than WebAssembly here.');
  let dtype = manifest.defaultVariant.webgpu;
  let reason = `Running on the GPU (${gpu.description || gpu.vendor || 'WebGPU'}).`;
  if (needsF16(variantFor(manifest, dtype)) && !gpu.shaderF16) {
    const alt = withoutF16(manifest);
    if (!alt) return onWasm('This GPU lacks 16-bit float shaders that the model needs; running on WebAssembly.');
    dtype = alt.dtype;
    reason = `This GPU lacks 16-bit float shaders, so the ${alt.dtype} variant is used.`;
  }
  try {
    return { device: 'webgpu', dtype, reason, plan: planFor(manifest, 'webgpu', dtype, gpu, deviceMemoryGiB) };
  } catch (error) {
    if (!(error instanceof MemoryPlanError)) throw error;
    return onWasm(`${error.message} Running on WebAssembly instead.`);
  }
}

async function fetchWithProgress(url: string, total: number, label: string, onEvent: (e: ProgressEvent) => void): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new AppError(`Could not download ${label}: the server answered ${response.status}.`, { hint: 'Check the connection and try again.' });
  const reader = response.body.getReader();
  const out = new Uint8Array(total);
  let done = 0;
  const started = performance.now();
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    if (done + value.length > out.length) throw new AppError(`${label} is larger than its manifest says.`, { hint: 'Delete the model and download it again.' });
    out.set(value, done);
    done += value.length;
    onEvent(progressEvent(`Loading ${label}`, done, total, started));
  }
  return out.subarray(0, done);
}

/**
 * The files a variant needs: its graph, every external-data shard, the tokenizer; with their
 * bytes, in download order.
 */
export function filesFor(manifest: Manifest, variant: Variant): PackageFile[] {
  const paths = [variant.graph, ...variant.externalData, 'tokenizer.json', 'tokenizer_config.json'];
  return paths.map((path) => {
    const file = manifest.files.find((f) => f.path === path);
    if (!file) throw new AppError(`The model "${manifest.id}" does not list a file ${path}.`, { hint: 'Choose another model in the model manager.' });
    return file;
  });
}

/** The name under which a graph refers to its external data: the shard's path relative to the graph's folder. */
export function externalDataName(graph: string, shard: string): string {
  const folder = graph.includes('/') ? graph.slice(0, graph.lastIndexOf('/') + 1) : '';
  return shard.startsWith(folder) ? shard.slice(folder.length) : shard;
}

/**
 * The manifest of the package at `source` and the folder its files come from: the package's
 * manifest.json, or for a hub repository (`.../<org>/<name>/resolve/<revision>/`) the one built
 * from the hub's file list at the resolved commit (hub.ts).
 */
export async function readPackage(source: string, id: string, store?: FileStore): Promise<{ manifest: Manifest; folder: string }> {
  if (hubRepoOf(source)) return hubPackage(source, store);
  const response = await fetch(`${source}manifest.json`);
  if (!response.ok) throw new AppError(`The model "${id}" was not found (${response.status}).`, { hint: 'Choose another model in the model manager.' });
  return { manifest: parseManifest(await response.json()), folder: source };
}

/**
 * `store`: keep the files in browser storage (resumable download, no second download on the
 * next visit); without it they are fetched each time (the browser's HTTP cache may help).
 * Either way every file (graph, external-data shards, tokenizer) is checked against its sha256
 * before use, and progress counts the bytes of all of them together.
 */
export async function loadModel(baseUrl: string, id: string, gpu: Capabilities['webgpu'], onEvent: (e: ProgressEvent) => void, options: LoadModelOptions = {}, store?: FileStore): Promise<LoadedModel> {
  const root = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const source = options.source ? (options.source.endsWith('/') ? options.source : `${options.source}/`) : `${root}${id}/`;
  onEvent({ type: 'progress', stage: 'Reading the model package' });
  const { manifest, folder } = await readPackage(source, id, store);
  let choice = chooseDevice(manifest, gpu, options.deviceMemoryGiB, options.device);
  if (options.dtype && options.dtype !== choice.dtype) {
    if (choice.device === 'webgpu' && needsF16(variantFor(manifest, options.dtype)) && !gpu.shaderF16) {
      throw new UnsupportedError(`The ${options.dtype} variant was asked for, but this GPU lacks the 16-bit float shaders it needs.`, { hint: 'Use another variant, or WebAssembly.' });
    }
    choice = { ...choice, dtype: options.dtype, reason: `${choice.reason} The ${options.dtype} variant was asked for.`, plan: planFor(manifest, choice.device, options.dtype, gpu, options.deviceMemoryGiB) };
  }
  const variant = variantFor(manifest, choice.dtype);
  const files = filesFor(manifest, variant);
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const started = performance.now();
  let before = 0;
  const contents: Uint8Array[] = [];
  for (const file of files) {
    // One progress bar over every file: bytes of the files already done plus this one's.
    const offset = before;
    const forward = (e: ProgressEvent) => {
      if (e.done === undefined) return onEvent(e);
      onEvent(progressEvent(e.stage, offset + e.done, total, started));
    };
    if (store) {
      contents.push(await downloadFile(folder, manifest, file, store, { onEvent: forward }));
    } else {
      const bytes = await fetchWithProgress(`${folder}${file.path}`, file.bytes, `the model (${file.path})`, forward);
      onEvent({ type: 'progress', stage: `Checking ${file.path}` });
      await verifyFile(manifest, file.path, bytes);
      contents.push(bytes);
    }
    before += file.bytes;
  }
  const [graph, ...rest] = contents;
  const shards = rest.slice(0, variant.externalData.length);
  const [tokenizerJson, tokenizerConfig] = rest.slice(variant.externalData.length).map((b) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>);
  contents.length = 0;
  onEvent({ type: 'progress', stage: `Starting the model on ${choice.device === 'webgpu' ? 'the GPU' : 'the CPU'}` });
  // Graphs the batched decoder would run wrongly are refused by name before a session is made.
  checkOperators(graph!);
  const ort = configureOrt();
  // ONNX Runtime reads each shard's bytes once into its own memory; ours are dropped after this call.
  const externalData = variant.externalData.map((path, i) => ({ path: externalDataName(variant.graph, path), data: shards[i]! }));
  // On WebGPU the cache stays in GPU buffers: present.* is returned as GPU tensors and fed back as
  // the next call's past_key_values.*, so no byte of it crosses to JavaScript (decoder.ts); of the
  // logits, only each fed row's last position is read back.
  const onGpu = choice.device === 'webgpu' ? gpuOutputLocations(manifest.architecture.numLayers) : {};
  const created = (await ort.InferenceSession.create(graph!, { executionProviders: [choice.device], graphOptimizationLevel: 'all', ...onGpu, ...(externalData.length > 0 ? { externalData } : {}) })) as unknown as SessionLike;
  shards.length = 0;
  const session = choice.device === 'webgpu' ? guardSession(created, watchDeviceLoss(ort)) : created;
  const a = manifest.architecture;
  const shape: DecoderShape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  // The session's metadata is the authority on what the graph takes: inputs the decoder cannot
  // feed are refused by name, and float16 inputs or outputs need shader-f16 on WebGPU.
  const io = graphIO(created, shape);
  if (choice.device === 'webgpu' && !gpu.shaderF16 && (io.kvType === 'float16' || io.logitsType === 'float16')) {
    await created.release?.();
    throw new UnsupportedError(`The ${choice.dtype} graph of "${manifest.id}" keeps float16 values, but this GPU lacks the 16-bit float shaders they need.`, { hint: 'Use WebAssembly, or a model variant without float16.' });
  }
  // The plan assumed the cache dtype the manifest names (or the default); the session's input types are the fact.
  let plan = choice.plan;
  if (io.kvType !== (variant.kvCacheDtype ?? KV_DTYPE[choice.dtype])) {
    try {
      plan = planFor(manifest, choice.device, choice.dtype, gpu, options.deviceMemoryGiB, io.kvType);
    } catch (error) {
      await created.release?.();
      throw error;
    }
  }
  const tokenizer = tokenizerFromFiles(tokenizerJson!, tokenizerConfig!);
  return {
    manifest,
    session,
    tokenizer,
    ort: ort as unknown as OrtLike,
    shape,
    device: choice.device,
    variant,
    deviceReason: choice.reason,
    plan,
  };
}
